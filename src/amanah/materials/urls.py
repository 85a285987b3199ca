"""Pages of materials (mounted under the language prefix, like the portal's)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "materials"

urlpatterns: list[URLPattern] = []
