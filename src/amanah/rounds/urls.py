"""Pages of rounds (mounted under the language prefix, like the portal's). The fixed
addresses ("new", "review") come before `<slug:code>/`, which would otherwise take them."""

from __future__ import annotations

from django.urls import URLPattern, path

from amanah.rounds import views

app_name = "rounds"

urlpatterns: list[URLPattern] = [
    path("", views.round_list, name="rounds"),
    path("new/", views.round_new, name="new"),
    path("review/", views.round_review, name="review"),
    path("<slug:code>/", views.round_detail, name="round"),
    path("<slug:code>/score/", views.round_score, name="score"),
    path("<slug:code>/manage/", views.round_manage, name="manage"),
    path("<slug:code>/manage/open/", views.round_open, name="manage-open"),
    path("<slug:code>/manage/proposals/", views.round_add_proposals, name="manage-add"),
    path("<slug:code>/manage/optimise/", views.round_optimise, name="manage-optimise"),
    path("<slug:code>/manage/portfolio/", views.round_portfolio, name="manage-portfolio"),
]
