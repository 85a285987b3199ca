"""Pages of monitoring (mounted under the language prefix, like the portal's)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "monitoring"

urlpatterns: list[URLPattern] = []
