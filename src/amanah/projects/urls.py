"""Pages of projects: proposals, partners' risk, the risk policy (under the language prefix)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "projects"

urlpatterns: list[URLPattern] = []
