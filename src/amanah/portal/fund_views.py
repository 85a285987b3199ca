"""The fund's pages: public figures, donors, allocations and rates; the secretariat's and
partners' forms. Views parse the request, call selectors or one service, render.

Forms post to their own address; after a write the browser is sent on (to the record hub,
or to the board's motion) with a message linking the new log entry.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.dates import format_skeleton
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language, get_language_bidi, gettext_lazy, to_locale
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from amanah.accounts.models import Role, User
from amanah.accounts.roles import RoleRequired, user_has_role
from amanah.core import charts
from amanah.core.formats import format_number
from amanah.funds import imports, selectors, trace
from amanah.funds import services as fund_services
from amanah.funds.book import STAGES
from amanah.orgs.selectors import organisation_list
from amanah.portal import fund_forms
from amanah.projects.selectors import project_list
from amanah.projects.services import project_register
from amanah.reference import svgmap
from amanah.reference.geography import governorates

STAGE_LABELS = {
    "pledged": gettext_lazy("Pledged"),
    "committed": gettext_lazy("Committed"),
    "paid": gettext_lazy("Paid"),
    "allocated": gettext_lazy("Allocated"),
    "disbursed": gettext_lazy("Disbursed"),
    "refunded": gettext_lazy("Refunded"),
    "spent": gettext_lazy("Spent"),
}
DONOR_STAGES = STAGES[:3]
PRIMARY = "#0b6e4f"  # Amanah's green (site.css)

# The series of the chart over time: money in, allocated, paid out and spent, to date.
OVER_TIME = ("paid", "allocated", "disbursed", "spent")
UNPAID = "#5c5c5c"  # pledged, not yet paid: grey beside Amanah's green (both 3:1 on white)


def _usd(amount: Decimal) -> str:
    return format_number(amount, places=2)


def _stage(stage: str, amounts: tuple[Decimal, ...]) -> Decimal:
    return amounts[STAGES.index(stage)]


def stage_bars(totals: tuple[Decimal, ...], *, rtl: bool) -> charts.BarChart:
    """One horizontal bar per stage, scaled to the largest; right-aligned in Arabic."""
    rows = [
        charts.Row(stage, str(STAGE_LABELS[stage]), (amount,), (_usd(amount),))
        for stage, amount in zip(STAGES, totals, strict=True)
    ]
    return charts.bar_chart(rows, [charts.Series("usd", _("US dollars"), PRIMARY)], rtl=rtl)


def donor_bars(overview: selectors.FundOverview, *, rtl: bool) -> charts.BarChart:
    """Each donor's pledges as a bar: the part paid, then the part not paid yet."""
    rows = []
    for row in overview.by_donor:
        pledged, paid = _stage("pledged", row.amounts), _stage("paid", row.amounts)
        unpaid = max(pledged - paid, Decimal(0))
        organisation = overview.donors.get(row.key)
        note = f"{STAGE_LABELS['paid']} {_usd(paid)} · {STAGE_LABELS['pledged']} {_usd(pledged)}"
        rows.append(
            charts.Row(
                key=row.key,
                label=organisation.display_name if organisation else row.key,
                values=(paid, unpaid),
                texts=(_usd(paid), _usd(unpaid)),
                note=note,
            )
        )
    series = [
        charts.Series("paid", str(STAGE_LABELS["paid"]), PRIMARY),
        charts.Series("unpaid", _("Pledged, not yet paid"), UNPAID),
    ]
    return charts.bar_chart(rows, series, rtl=rtl, width=600)


def _month_keys(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` ("2026-01"), gaps included."""
    year, month = (int(part) for part in first.split("-"))
    keys = []
    while (key := f"{year:04d}-{month:02d}") <= last:
        keys.append(key)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def over_time_lines(by_month: tuple[selectors.FiguresRow, ...], *, rtl: bool) -> charts.LineChart:
    """The money paid, allocated, disbursed and spent to date, at the end of each month."""
    months = {row.key: row.amounts for row in by_month}
    zero = tuple(Decimal(0) for _stage_name in STAGES)
    keys = _month_keys(min(months), max(months)) if months else []
    locale = to_locale(get_language() or "en")
    running = [Decimal(0)] * len(OVER_TIME)
    rows = []
    for key in keys:
        for index, stage in enumerate(OVER_TIME):
            running[index] += _stage(stage, months.get(key, zero))
        year, month = (int(part) for part in key.split("-"))
        rows.append(
            charts.Row(
                key=key,
                label=format_skeleton("yMMM", datetime.date(year, month, 1), locale=locale),
                values=tuple(running),
                texts=tuple(_usd(amount) for amount in running),
            )
        )
    series = [charts.Series(stage, str(STAGE_LABELS[stage])) for stage in OVER_TIME]
    return charts.line_chart(rows, series, rtl=rtl, fmt=format_number, max_labels=6)


def allocated_map(by_governorate: tuple[selectors.FiguresRow, ...]) -> svgmap.ChoroplethMap:
    """The money the board allocated to projects in each governorate, in US dollars."""
    allocated = {row.key: _stage("allocated", row.amounts) for row in by_governorate}
    return svgmap.choropleth(
        {g.pcode: allocated.get(g.pcode, Decimal(0)) for g in governorates()},
        language=get_language() or "en",
        fmt=_usd,
        legend_fmt=format_number,
        label=_("Allocated (USD)"),
    )


# --- public pages -----------------------------------------------------------------------


@require_safe
def fund(request: HttpRequest) -> HttpResponse:
    overview = selectors.fund_overview()
    rtl = get_language_bidi()
    context = {
        "overview": overview,
        "pools": selectors.fund_pools(),
        "stages": [(stage, STAGE_LABELS[stage]) for stage in STAGES],
        "donor_stages": [(stage, STAGE_LABELS[stage]) for stage in DONOR_STAGES],
        "bars": stage_bars(overview.totals, rtl=rtl),
        "donor_bars": donor_bars(overview, rtl=rtl),
        "over_time": over_time_lines(overview.by_month, rtl=rtl),
        "allocated_map": allocated_map(overview.by_governorate),
        "can_record": user_has_role(request.user, Role.SECRETARIAT),
        "can_report": user_has_role(request.user, Role.PARTNER_STAFF),
    }
    return render(request, "portal/fund.html", context)


@require_safe
def fund_donor(request: HttpRequest, iati_identifier: str) -> HttpResponse:
    page = selectors.fund_donor_page(iati_identifier)
    if page is None:
        raise Http404("no such organisation")
    return render(request, "portal/fund_donor.html", {"page": page})


@require_safe
def fund_allocations(request: HttpRequest) -> HttpResponse:
    context = {
        "allocations": selectors.fund_allocation_list(),
        "can_allocate": user_has_role(request.user, Role.SECRETARIAT),
    }
    return render(request, "portal/fund_allocations.html", context)


@require_safe
def fund_allocation(request: HttpRequest, allocation_id: uuid.UUID) -> HttpResponse:
    page = selectors.fund_allocation_page(allocation_id)
    if page is None:
        raise Http404("no such allocation")
    return render(request, "portal/fund_allocation.html", {"page": page})


@require_safe
def fund_trace_page(request: HttpRequest) -> HttpResponse:
    """Where each donor's money went, traced where the earmarks allow, pro rata elsewhere."""
    donor = request.GET.get("donor") or None
    rows = trace.fund_trace(donor=donor)
    names = {o.iati_identifier: o for o in organisation_list(palestinian=False)}
    context = {
        "rows": rows,
        "donor": names.get(donor) if donor else None,
        "donors": sorted(names.values(), key=lambda o: o.iati_identifier),
        "names": names,
        "pro_rata": trace.PRO_RATA,
    }
    return render(request, "portal/fund_trace.html", context)


@require_safe
def fund_rates(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/fund_rates.html", {"rates": selectors.fund_rate_list()})


# --- forms ------------------------------------------------------------------------------


def _require(request: HttpRequest, *roles: Role) -> User:
    if not user_has_role(request.user, *roles):
        raise PermissionDenied(_("Your role does not allow this."))
    return request.user  # type: ignore[return-value]


def _recorded(request: HttpRequest, sentence: str, index: int) -> None:
    """A message saying what was recorded; `{link}` in `sentence` links its log entry."""
    url = reverse("portal:entry", args=[index])
    link = format_html('<a href="{}">{}</a>', url, _("log entry %(index)s") % {"index": index})
    messages.success(request, format_html(str(sentence).replace("{link}", "{}"), link))


@dataclass(frozen=True)
class Recorder:
    """One of the hub's forms: its form class, the choices it needs, the service it calls."""

    title: Any
    form: type[fund_forms.FundForm]
    choices: Callable[[], dict[str, Any]]
    service: Callable[..., Any]
    recorded: Any  # the message saying so, with {link} for its log entry
    index: Callable[[Any], int] = lambda fact: int(fact.log_index)


def _donors() -> dict[str, Any]:
    return {"donors": list(organisation_list(palestinian=False))}


RECORDERS: dict[str, Recorder] = {
    "fx-rate": Recorder(
        gettext_lazy("An exchange rate"),
        fund_forms.FxRateForm,
        dict,
        fund_services.fx_rate_record,
        gettext_lazy("Exchange rate recorded at {link}."),
    ),
    "pledge": Recorder(
        gettext_lazy("A pledge"),
        fund_forms.PledgeForm,
        _donors,
        fund_services.pledge_record,
        gettext_lazy("Pledge recorded at {link}."),
    ),
    "commitment": Recorder(
        gettext_lazy("A commitment"),
        fund_forms.CommitmentForm,
        lambda: {**_donors(), "pledges": selectors.fund_pledge_choices()},
        fund_services.commitment_record,
        gettext_lazy("Commitment recorded at {link}."),
    ),
    "contribution": Recorder(
        gettext_lazy("A contribution received"),
        fund_forms.ContributionForm,
        lambda: {**_donors(), "commitments": selectors.fund_commitment_choices()},
        fund_services.contribution_record,
        gettext_lazy("Contribution recorded at {link}."),
    ),
    "conversion": Recorder(
        gettext_lazy("A currency conversion"),
        fund_forms.ConversionForm,
        dict,
        fund_services.conversion_record,
        gettext_lazy("Conversion recorded at {link}."),
    ),
    "refund": Recorder(
        gettext_lazy("A refund from a partner"),
        fund_forms.RefundForm,
        lambda: {"allocations": selectors.fund_allocation_list(approved_only=True)},
        fund_services.refund_record,
        gettext_lazy("Refund recorded at {link}."),
    ),
    "reversal": Recorder(
        gettext_lazy("A reversal (a correction)"),
        fund_forms.ReversalForm,
        lambda: {"facts": selectors.fund_reversible_choices()},
        fund_services.reversal_record,
        gettext_lazy("Reversal recorded at {link}."),
    ),
}


def _run(form: fund_forms.FundForm, service: Callable[..., Any], actor: User) -> Any:
    """Call `service` with the valid form's arguments; its errors go onto the form."""
    try:
        return service(**form.service_kwargs(), actor=actor)
    except RoleRequired as error:
        raise PermissionDenied(str(error)) from None
    except ValidationError as error:
        form.add_service_error(error)
        return None


def _forms_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, failed: bool
) -> HttpResponse:
    return render(request, template, context, status=400 if failed else 200)


@require_safe
@login_required
def fund_record(request: HttpRequest) -> HttpResponse:
    """The secretariat's hub: a form for each fact it records."""
    _require(request, Role.SECRETARIAT)
    forms = [
        (name, recorder.title, recorder.form(prefix=name, **recorder.choices()))
        for name, recorder in RECORDERS.items()
    ]
    return render(request, "portal/fund_record.html", {"forms": forms})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def fund_record_one(request: HttpRequest, name: str) -> HttpResponse:
    actor = _require(request, Role.SECRETARIAT)
    recorder = RECORDERS.get(name)
    if recorder is None:
        raise Http404("no such form")
    data = request.POST if request.method == "POST" else None
    form = recorder.form(data, prefix=name, **recorder.choices())
    if data is not None and form.is_valid():
        fact = _run(form, recorder.service, actor)
        if fact is not None:
            _recorded(request, str(recorder.recorded), recorder.index(fact))
            return redirect("portal:fund-record")
    context = {"forms": [(name, recorder.title, form)], "single": True}
    return _forms_page(request, "portal/fund_record.html", context, failed=bool(form.errors))


def _motion_form_view(
    request: HttpRequest,
    *,
    form_class: type[fund_forms.FundForm],
    choices: dict[str, Any],
    service: Callable[..., Any],
    actor: User,
    template: str,
    recorded: str,
) -> HttpResponse:
    """A form whose service puts a motion to the board: on success, go to the motion."""
    data = request.POST if request.method == "POST" else None
    form = form_class(data, **choices)
    if data is not None and form.is_valid():
        prepared = _run(form, service, actor)
        if prepared is not None:
            _recorded(request, recorded, prepared.reserved_index)
            return redirect("portal:motion", motion_id=prepared.motion_id)
    return _forms_page(request, template, {"form": form}, failed=bool(form.errors))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def fund_allocate(request: HttpRequest) -> HttpResponse:
    actor = _require(request, Role.SECRETARIAT)
    return _motion_form_view(
        request,
        form_class=fund_forms.AllocateForm,
        choices={"projects": list(project_list().filter(status="active"))},
        service=fund_services.allocation_prepare,
        actor=actor,
        template="portal/fund_allocate.html",
        recorded=_("Allocation put to the board, its money set aside at {link}."),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def fund_disburse(request: HttpRequest) -> HttpResponse:
    actor = _require(request, Role.SECRETARIAT)
    return _motion_form_view(
        request,
        form_class=fund_forms.DisburseForm,
        choices={"allocations": selectors.fund_allocation_list(approved_only=True)},
        service=fund_services.disbursement_prepare,
        actor=actor,
        template="portal/fund_disburse.html",
        recorded=_("Disbursement put to the board, its money set aside at {link}."),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def fund_expenditure(request: HttpRequest) -> HttpResponse:
    """Partner staff report spending on their organisation's projects (the secretariat may
    report on a partner's behalf)."""
    actor = _require(request, Role.PARTNER_STAFF, Role.SECRETARIAT)
    lead = actor.organisation_iati_id if actor.role == Role.PARTNER_STAFF else None
    allocations = selectors.fund_allocation_list(approved_only=True, lead=lead)
    data = request.POST if request.method == "POST" else None
    form = fund_forms.ExpenditureForm(data, allocations=allocations)
    if data is not None and form.is_valid():
        fact = _run(form, fund_services.expenditure_report, actor)
        if fact is not None:
            _recorded(request, _("Expenditure reported at {link}."), fact.log_index)
            return redirect("portal:fund-expenditure")
    return _forms_page(
        request, "portal/fund_expenditure.html", {"form": form}, failed=bool(form.errors)
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    actor = _require(request, Role.SECRETARIAT)
    data = request.POST if request.method == "POST" else None
    form = fund_forms.ProjectRegisterForm(data, leads=list(organisation_list(palestinian=True)))
    if data is not None and form.is_valid():
        project = _run(form, project_register, actor)
        if project is not None:
            sentence = _("Project %(code)s registered at {link}.") % {"code": project.code}
            _recorded(request, sentence, project.registered_index)
            return redirect("portal:project-new")
    return _forms_page(request, "portal/project_new.html", {"form": form}, failed=bool(form.errors))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def fund_import(request: HttpRequest) -> HttpResponse:
    """Upload a bank statement (CSV): every contribution in it is recorded, or none, and
    each wrong row is listed with its line and column."""
    actor = _require(request, Role.SECRETARIAT)
    form = fund_forms.ImportForm(request.POST or None, request.FILES or None)
    problems: list[imports.RowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.contribution_import(form.cleaned_data["text"], actor=actor)
        except imports.ImportInvalid as error:
            problems = error.errors
        else:
            messages.success(
                request,
                _(
                    "Contributions recorded: %(recorded)d. "
                    "Rows recorded before, skipped: %(already)d."
                )
                % {"recorded": result.recorded, "already": result.already_recorded},
            )
            return redirect("portal:fund-import")
    context = {"form": form, "problems": problems, "columns": imports.COLUMNS}
    return render(request, "portal/fund_import.html", context, status=400 if problems else 200)
