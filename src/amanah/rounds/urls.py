"""Pages of rounds (mounted under the language prefix, like the portal's)."""

from __future__ import annotations

from django.urls import URLPattern, path

from amanah.rounds import views

app_name = "rounds"

urlpatterns: list[URLPattern] = [
    path("", views.round_list, name="rounds"),
    path("<slug:code>/", views.round_detail, name="round"),
    path("<slug:code>/score/", views.round_score, name="score"),
]
