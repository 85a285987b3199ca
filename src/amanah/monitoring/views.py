"""Pages of monitoring: the public projects list and project page, partners' milestones
to report (with an upload form), the monitor's workspace (a verification form made for a
phone), the secretariat's notifications, and evidence downloads. Views parse, call one
selector or service, render; forms are plain multipart POSTs and work without JavaScript."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from amanah.accounts.models import Role
from amanah.accounts.roles import user_has_role
from amanah.assets.selectors import assets_for_project
from amanah.core.formats import format_number
from amanah.funds.selectors import GovernorateProjects, fund_projects_by_governorate
from amanah.monitoring import evidence, selectors, services
from amanah.monitoring.models import Milestone, VerificationResult
from amanah.projects.models import ProjectStatus, governorate_choices, sector_choices
from amanah.reference import svgmap
from amanah.reference.geography import governorates


class ReportForm(forms.Form):
    reported_on = forms.DateField(
        label=gettext_lazy("Date of the report"), widget=forms.DateInput(attrs={"type": "date"})
    )
    summary = forms.CharField(label=gettext_lazy("What was done"), widget=forms.Textarea)
    photo = forms.FileField(label=gettext_lazy("Photos (public)"), required=False)
    invoice = forms.FileField(label=gettext_lazy("Invoices (private)"), required=False)
    certificate = forms.FileField(label=gettext_lazy("Certificates (public)"), required=False)
    publish_invoices = forms.BooleanField(label=gettext_lazy("Publish the invoices too"),
                                          required=False)  # fmt: skip
    withhold_photos = forms.BooleanField(
        label=gettext_lazy("Keep the photos private (they show people)"), required=False
    )


class VerifyForm(forms.Form):
    result = forms.ChoiceField(
        label=gettext_lazy("Result"), choices=VerificationResult.choices, widget=forms.RadioSelect
    )
    visited_on = forms.DateField(
        label=gettext_lazy("Date of the visit"), widget=forms.DateInput(attrs={"type": "date"})
    )
    findings = forms.CharField(
        label=gettext_lazy("Findings"), widget=forms.Textarea(attrs={"rows": 4})
    )
    latitude = forms.CharField(
        label=gettext_lazy("Latitude"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "31.5017"}),
    )
    longitude = forms.CharField(
        label=gettext_lazy("Longitude"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "34.4668"}),
    )
    photo = forms.FileField(
        label=gettext_lazy("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )


def _attach(form: forms.Form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def _uploads(request: HttpRequest, *kinds: str) -> list[tuple[str, Any]]:
    return [(kind, f) for kind in kinds for f in request.FILES.getlist(kind)]


# --- public ------------------------------------------------------------------------------


PROJECTS_PER_PAGE = 50


class ProjectFilterForm(forms.Form):
    """The projects list's filters: a plain GET form, so it works without JavaScript."""

    sector = forms.ChoiceField(label=gettext_lazy("Sector"), required=False)
    governorate = forms.ChoiceField(label=gettext_lazy("Governorate"), required=False)
    lead = forms.ChoiceField(label=gettext_lazy("Lead partner"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self.fields["sector"].choices = anything + sector_choices()
        self.fields["governorate"].choices = anything + governorate_choices()
        self.fields["lead"].choices = anything + [
            (o.iati_identifier, f"{o.display_name} ({o.iati_identifier})")
            for o in selectors.project_leads()
        ]
        self.fields["status"].choices = anything + list(ProjectStatus.choices)

    def filters(self) -> dict[str, str]:
        """The valid filters given; an unknown value filters nothing rather than failing."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) or "" for name in self.fields if name not in self.errors}


@require_safe
def projects(request: HttpRequest) -> HttpResponse:
    form = ProjectFilterForm(request.GET)
    chosen = form.filters()
    listed = selectors.project_list(**chosen)
    page = Paginator(listed, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({name: value for name, value in chosen.items() if value})
    context = {
        "form": form,
        "page": page,
        "rows": selectors.project_list_rows(page.object_list),
        "query": query,
        "filtered": any(chosen.values()),
        "projects_map": _projects_map(fund_projects_by_governorate(listed)),
    }
    return render(request, "monitoring/projects.html", context)


def _projects_map(found: dict[str, GovernorateProjects]) -> svgmap.ChoroplethMap:
    """The number of projects listed in each governorate, with the US dollars allocated
    to them, on the map of the five governorates."""
    counts = {g.pcode: found[g.pcode].projects if g.pcode in found else 0 for g in governorates()}
    allocated = {
        g.pcode: format_number(found[g.pcode].allocated.amount if g.pcode in found else 0, 2)
        for g in governorates()
    }
    return svgmap.choropleth(
        counts,
        language=get_language() or "en",
        fmt=format_number,
        label=_("Projects"),
        details=[(_("Allocated (USD)"), allocated)],
    )


@require_safe
def project_page(request: HttpRequest, code: str) -> HttpResponse:
    page = selectors.project_page(code)
    if page is None:
        raise Http404("no such project")
    context = {
        "page": page,
        "project": page.project,
        "project_assets": assets_for_project(page.project),
    }
    return render(request, "monitoring/project.html", context)


@require_safe
def evidence_file(request: HttpRequest, sha256: str) -> HttpResponse:
    """A public file for anyone; a private one only for those who may see it (404 to
    everyone else, so that its existence is not confirmed beyond its public hash)."""
    file = selectors.evidence_file(sha256)
    if file is None or not selectors.may_fetch(request.user, file):
        raise Http404("no such evidence")
    return evidence.file_response(file.sha256, file.content_type)


# --- partners ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def partner_milestones(request: HttpRequest) -> HttpResponse:
    if not user_has_role(request.user, Role.PARTNER_STAFF):
        raise PermissionDenied
    rows = list(selectors.milestones_to_report(request.user))  # type: ignore[arg-type]
    forms_by_id: dict[str, ReportForm] = {str(m.id): ReportForm(prefix=str(m.id)) for m in rows}
    if request.method == "POST":
        chosen = request.POST.get("milestone", "")
        if chosen not in forms_by_id:
            raise Http404("no such milestone to report")
        form = ReportForm(request.POST, request.FILES, prefix=chosen)
        forms_by_id[chosen] = form
        if form.is_valid():
            public = {"invoice": form.cleaned_data["publish_invoices"]}
            if form.cleaned_data["withhold_photos"]:
                public["photo"] = False
            uploads = [
                (kind, upload)
                for kind in ("photo", "invoice", "certificate")
                for upload in request.FILES.getlist(f"{chosen}-{kind}")
            ]
            try:
                filed = services.milestone_report(
                    milestone=chosen, reported_on=form.cleaned_data["reported_on"],
                    summary=form.cleaned_data["summary"], evidence=uploads, public=public,
                    actor=request.user,
                )  # fmt: skip
            except ValidationError as error:
                _attach(form, error)
            else:
                messages.success(request, _("Reported. A monitor will verify it on site."))
                if filed.duplicates:
                    messages.info(
                        request, _("Some files were already held by the fund and were reused.")
                    )
                return redirect("monitoring:partner")
    items = [(m, forms_by_id[str(m.id)]) for m in rows]
    return render(request, "monitoring/partner.html", {"items": items})


# --- monitors ----------------------------------------------------------------------------


@login_required
@require_safe
def monitor_workspace(request: HttpRequest) -> HttpResponse:
    if not user_has_role(request.user, Role.MONITOR):
        raise PermissionDenied
    rows = selectors.milestones_awaiting_verification()
    return render(request, "monitoring/monitor.html", {"milestones": rows})


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, milestone_id: uuid.UUID) -> HttpResponse:
    if not user_has_role(request.user, Role.MONITOR):
        raise PermissionDenied
    milestone: Milestone | None = selectors.milestone_detail(milestone_id)
    if milestone is None:
        raise Http404("no such milestone")
    form = VerifyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            filed = services.milestone_verify(
                milestone=milestone.id, visited_on=data["visited_on"], result=data["result"],
                findings=data["findings"], latitude=data["latitude"] or None,
                longitude=data["longitude"] or None, evidence=_uploads(request, "photo"),
                actor=request.user,
            )  # fmt: skip
        except ValidationError as error:
            _attach(form, error)
        else:
            if filed.row.disbursement is not None:
                messages.success(request, _("Passed: the tranche is put to the board."))
            else:
                messages.success(request, _("Recorded."))
            return redirect("monitoring:monitor")
    reports = list(milestone.reports.all())
    context = {"milestone": milestone, "form": form, "report": reports[-1] if reports else None}
    return render(request, "monitoring/verify.html", context)


# --- the secretariat ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    if not user_has_role(request.user, Role.SECRETARIAT):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.notification_mark_read(
                notification=int(request.POST.get("notification", "0") or 0),
                actor=request.user,  # type: ignore[arg-type]
            )
        except (ValidationError, ValueError):
            messages.error(request, _("Name a notification."))
        return redirect(reverse("monitoring:notifications"))
    rows = selectors.notification_list()
    return render(request, "monitoring/notifications.html", {"notifications": rows})
