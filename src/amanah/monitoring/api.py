"""/api/v1/monitoring/...: milestones and monitoring over the API."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["monitoring"])
