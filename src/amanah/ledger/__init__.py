"""The ledger: the transparency log behind every public fact, and its `/log/` endpoints."""
