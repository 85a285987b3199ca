"""Pages of monitoring (mounted under the language prefix, like the portal's)."""

from __future__ import annotations

from django.urls import URLPattern, path

from amanah.monitoring import plan_views, views

app_name = "monitoring"

urlpatterns: list[URLPattern] = [
    path("projects/", views.projects, name="projects"),
    path("projects/<slug:code>/", views.project_page, name="project"),
    path(
        "projects/<slug:code>/milestones/new/",
        plan_views.milestone_new,
        name="milestone-new",
    ),
    path("evidence/<str:sha256>/", views.evidence_file, name="evidence"),
    path("partner/", views.partner_milestones, name="partner"),
    path("monitor/", views.monitor_workspace, name="monitor"),
    path("monitor/<uuid:milestone_id>/", views.verify, name="verify"),
    path("notifications/", views.notifications, name="notifications"),
]
