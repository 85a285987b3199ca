"""Damaged and rebuilt assets: the register, their damage assessments, and what happens to
them after rebuilding (docs/assets.md)."""
