"""Milestones and monitoring: database rows."""

from __future__ import annotations
