"""Search: text folding, the full-text index and ranked queries."""
