"""Pages of materials (mounted under the language prefix, like the portal's)."""

from __future__ import annotations

from django.urls import URLPattern, path

from amanah.materials import views

app_name = "materials"

urlpatterns: list[URLPattern] = [
    path("", views.overview, name="overview"),
    path("projects/<slug:code>/", views.project, name="project"),
    path("workspace/", views.workspace, name="workspace"),
    path("movements/", views.movements, name="movements"),
    path("movements.csv", views.movements_csv, name="movements_csv"),
    path("flags/<uuid:flag_id>/resolve/", views.resolve, name="resolve"),
]
