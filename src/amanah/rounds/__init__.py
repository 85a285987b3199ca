"""Allocation rounds: an envelope, a scoring rubric, reviewers' scores, and the portfolio
an optimiser recommends under published constraints."""
