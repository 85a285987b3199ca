"""Humanitarian access: database rows."""

from __future__ import annotations
