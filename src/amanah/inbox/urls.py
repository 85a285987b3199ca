"""Pages of the inbox (mounted at messages/ under the language prefix)."""

from __future__ import annotations

from django.urls import URLPattern, path

from amanah.inbox import views

app_name = "inbox"

urlpatterns: list[URLPattern] = [
    path("", views.inbox, name="inbox"),
    path("new/", views.thread_new, name="thread-new"),
    path("<uuid:thread_id>/", views.thread, name="thread"),
]
