from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from amanah.portal import about_views, downloads, fund_views, log_views, views, workspace_views


class _Index:
    """A log index in canonical decimal: `/entries/7/` has no `/entries/007/` twin."""

    regex = "0|[1-9][0-9]*"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(_Index, "index")

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", about_views.about, name="about"),
    path("transparency-log/", log_views.log_page, name="log"),
    path("downloads/", downloads.downloads, name="downloads"),
    *(
        path(f"downloads/{table.slug}.csv", view, name=table.url_name)
        for table, view in (
            (downloads.DONORS, downloads.donors_csv),
            (downloads.PLEDGES, downloads.pledges_csv),
            (downloads.COMMITMENTS, downloads.commitments_csv),
            (downloads.CONTRIBUTIONS, downloads.contributions_csv),
            (downloads.ALLOCATIONS, downloads.allocations_csv),
            (downloads.DISBURSEMENTS, downloads.disbursements_csv),
            (downloads.EXPENDITURES, downloads.expenditures_csv),
            (downloads.PROJECTS, downloads.projects_csv),
            (downloads.ROUND_RESULTS, downloads.round_results_csv),
            (downloads.MATERIALS, downloads.materials_csv),
            (downloads.MOTIONS, downloads.motions_csv),
            (downloads.MILESTONES, downloads.milestones_csv),
            (downloads.RATES, downloads.rates_csv),
            (downloads.PROPOSALS, downloads.proposals_csv),
            (downloads.ASSETS, downloads.assets_csv),
            (downloads.ASSESSMENTS, downloads.asset_assessments_csv),
        )
    ),
    path("entries/<index:index>/", views.entry, name="entry"),
    path("entries/<index:index>/receipt", views.entry_receipt, name="entry-receipt"),
    path("board/", views.board, name="board"),
    path("motions/", views.motions, name="motions"),
    path("motions/new/", views.motion_new, name="motion-new"),
    path("motions/<uuid:motion_id>/", views.motion, name="motion"),
    path("motions/<uuid:motion_id>/sign", views.motion_sign_view, name="motion-sign"),
    path("motions/<uuid:motion_id>/refuse", views.motion_refuse_view, name="motion-refuse"),
    path("motions/<uuid:motion_id>/withdraw", views.motion_withdraw_view, name="motion-withdraw"),
    path("fund/", fund_views.fund, name="fund"),
    path("fund/donors/<str:iati_identifier>/", fund_views.fund_donor, name="fund-donor"),
    path("fund/allocations/", fund_views.fund_allocations, name="fund-allocations"),
    path(
        "fund/allocations/<uuid:allocation_id>/",
        fund_views.fund_allocation,
        name="fund-allocation",
    ),
    path("fund/rates/", fund_views.fund_rates, name="fund-rates"),
    path("fund/trace/", fund_views.fund_trace_page, name="fund-trace"),
    path("fund/record/", fund_views.fund_record, name="fund-record"),
    path("fund/import/", fund_views.fund_import, name="fund-import"),
    path("fund/record/<slug:name>/", fund_views.fund_record_one, name="fund-record-one"),
    path("fund/allocate/", fund_views.fund_allocate, name="fund-allocate"),
    path("fund/disburse/", fund_views.fund_disburse, name="fund-disburse"),
    path("fund/expenditure/", fund_views.fund_expenditure, name="fund-expenditure"),
    path("projects/new/", fund_views.project_new, name="project-new"),
    path("workspace/", workspace_views.workspace, name="workspace"),
    path("keys/", views.keys, name="keys"),
    path("keys/propose", views.keys_propose, name="keys-propose"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="portal/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
