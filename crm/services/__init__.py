"""Services: every change to the data goes through here, one transaction each."""
