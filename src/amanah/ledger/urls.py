"""c2sp.org/tlog-tiles under /log/: `checkpoint`, `tile/<L>/<N>[.p/<W>]`, `tile/entries/...`."""

from __future__ import annotations

from django.urls import path

from amanah.ledger import views

app_name = "ledger"

urlpatterns = [
    path("checkpoint", views.checkpoint, name="checkpoint"),
    # Any path under tile/ reaches the view, which accepts only what parse_tile_path does.
    path("tile/<path:rest>", views.tile, name="tile"),
]
