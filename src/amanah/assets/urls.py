"""Pages of damage and rebuilding (mounted under the language prefix, like the portal's)."""

from __future__ import annotations

from django.urls import URLPattern, path

from amanah.assets import views

app_name = "assets"

urlpatterns: list[URLPattern] = [
    path("", views.asset_list, name="list"),
    path("new/", views.asset_new, name="new"),
    path("import/", views.asset_import, name="import"),
    path("<slug:code>/", views.asset_page, name="asset"),
    path("<slug:code>/assess/", views.asset_assess, name="assess"),
    path("<slug:code>/link/", views.asset_link, name="link"),
]
