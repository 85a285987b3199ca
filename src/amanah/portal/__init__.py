"""Public pages: what anyone can read, built from the domain apps' selectors only."""
