"""Milestones, their evidence (content-addressed files) and monitors' on-site verification,
which releases (or blocks) the next tranche."""
