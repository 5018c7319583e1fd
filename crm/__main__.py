"""``python -m crm``: Brücke's command line."""

import os
import sys

if os.environ.get("BRUECKE_FORBID_NETWORK") == "1":  # before anything else is loaded
    from crm.privacy import forbid_network

    forbid_network()

from crm.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
