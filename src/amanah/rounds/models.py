"""Allocation rounds: database rows."""

from __future__ import annotations
