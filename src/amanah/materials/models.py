"""Construction materials: database rows."""

from __future__ import annotations
