"""Pages of projects: proposals, partners' risk, the risk policy (under the language prefix)."""

from __future__ import annotations

from django.urls import URLPattern, path

from amanah.projects import views

app_name = "projects"

urlpatterns: list[URLPattern] = [
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/mine/", views.proposals_mine, name="proposals-mine"),
    path("proposals/new/", views.proposal_new, name="proposal-new"),
    path("proposals/<uuid:proposal_id>/", views.proposal, name="proposal"),
    path("proposals/<uuid:proposal_id>/edit/", views.proposal_edit, name="proposal-edit"),
    path("proposals/<uuid:proposal_id>/submit", views.proposal_submit, name="proposal-submit"),
    path(
        "proposals/<uuid:proposal_id>/withdraw", views.proposal_withdraw, name="proposal-withdraw"
    ),
    path("partners/", views.partners, name="partners"),
    path("risk-policy/", views.risk_policy, name="risk-policy"),
]
