"""Pages of access (mounted under the language prefix, like the portal's)."""

from __future__ import annotations

from django.urls import URLPattern, path

from amanah.access import views

app_name = "access"

urlpatterns: list[URLPattern] = [
    path("", views.dashboard, name="dashboard"),
    path("crossings/", views.crossings, name="crossings"),
    path("consignments/", views.board, name="board"),
    path("consignments/<uuid:consignment_id>/", views.consignment, name="consignment"),
    path("import/", views.import_page, name="import"),
]
