"""/api/v1/materials/...: construction materials over the API."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["materials"])
