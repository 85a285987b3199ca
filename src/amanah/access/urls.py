"""Pages of access (mounted under the language prefix, like the portal's)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "access"

urlpatterns: list[URLPattern] = []
