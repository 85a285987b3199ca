"""Pages of humanitarian access: the public dashboard (aggregates only), and the
logistics workspace (consignments board, a consignment with its event form, crossings,
import). Views parse, call one selector or service, render."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from amanah.access import imports, metrics, selectors, services
from amanah.access.forms import CrossingDayForm, EventForm, ImportForm
from amanah.access.models import EventKind
from amanah.accounts.models import Role, User
from amanah.accounts.roles import RoleRequired, user_has_role
from amanah.core import charts
from amanah.core.formats import format_number
from amanah.reference import svgmap
from amanah.reference.crossings import crossing_locations

DASHBOARD_DAYS = 42


def _require(request: HttpRequest, *roles: Role) -> User:
    if not user_has_role(request.user, *roles):
        raise PermissionDenied(_("Your role does not allow this."))
    return request.user  # type: ignore[return-value]


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """The public dashboard: figures by day and crossing, delayed; nothing per consignment."""
    until = metrics.last_public_day()
    since = until - datetime.timedelta(days=DASHBOARD_DAYS - 1)
    figures = metrics.access_metrics(since=since)
    totals = figures.totals_by_day()
    rtl = get_language_bidi()
    trucks = [
        charts.Series("requested", _("Trucks requested"), "#5c5c5c"),
        charts.Series("cleared", _("Trucks cleared"), "#1f5fa8"),
        charts.Series("crossed", _("Trucks crossed"), "#2a7d3b"),
        charts.Series("turned_back", _("Trucks turned back"), "#b3261e"),
    ]
    trend = charts.line_chart(
        [
            charts.Row(
                key=row.date.isoformat(),
                label=date_format(row.date, "MONTH_DAY_FORMAT"),
                values=(
                    row.trucks_requested,
                    row.trucks_cleared,
                    row.trucks_crossed,
                    row.trucks_turned_back,
                ),
            )
            for row in totals
        ],
        trucks,
        rtl=rtl,
        fmt=format_number,
        max_labels=7,
    )
    language = get_language()
    names = {c.code: c.name(language) for c in figures.crossings}
    closed = charts.bar_chart(
        [
            charts.Row(c.code, names[c.code], (days,), (format_number(days),))
            for c in figures.crossings
            for days in [figures.closed_days.get(c.code, 0)]
        ],
        [charts.Series("closed", _("Days each crossing was closed"), "#b3261e")],
        rtl=rtl,
    )
    # The period's figures by crossing (the same public rows, summed), and a map of the
    # trucks crossed at each crossing with a known location (others are only in the table).
    by_crossing = {c.code: metrics.DayRow(until, c.code) for c in figures.crossings}
    for row in figures.days:
        total = by_crossing.setdefault(row.crossing, metrics.DayRow(until, row.crossing))
        total.trucks_requested += row.trucks_requested
        total.trucks_cleared += row.trucks_cleared
        total.trucks_crossed += row.trucks_crossed
        total.trucks_turned_back += row.trucks_turned_back
        total.decided += row.decided
        total.denied += row.denied
    places = crossing_locations()
    crossed_map = svgmap.point_map(
        {
            code: (places[code].lat, places[code].lon, row.trucks_crossed, names.get(code, code))
            for code, row in by_crossing.items()
            if code in places
        },
        language=language,
        fmt=format_number,
        label=_("Trucks crossed"),
    )
    context: dict[str, Any] = {
        "figures": figures,
        "by_crossing": list(by_crossing.values()),
        "crossed_map": crossed_map,
        "totals": totals,
        "trend": trend,
        "closed": closed,
        "names": names,
        "delay_hours": int(services.public_delay().total_seconds() // 3600),
        "since": since,
        "until": until,
        "is_logistics": user_has_role(request.user, Role.LOGISTICS, Role.AUDITOR),
    }
    return render(request, "access/dashboard.html", context)


@require_safe
@login_required
def board(request: HttpRequest) -> HttpResponse:
    """Consignments by status, for logistics coordinators (and auditors, to read)."""
    _require(request, Role.LOGISTICS, Role.AUDITOR)
    rows = list(selectors.consignment_list())
    columns = [(kind, [c for c in rows if c.status == kind.value]) for kind in EventKind]
    return render(request, "access/board.html", {"columns": columns, "total": len(rows)})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def consignment(request: HttpRequest, consignment_id: uuid.UUID) -> HttpResponse:
    _require(request, Role.LOGISTICS, Role.AUDITOR)
    row = selectors.consignment_get(consignment_id)
    if row is None:
        raise Http404("no such consignment")
    can_record = user_has_role(request.user, Role.LOGISTICS)
    data = request.POST if request.method == "POST" else None
    if data is not None and not can_record:
        raise PermissionDenied(_("Your role does not allow this."))
    form = EventForm(data, state=row.status)
    if data is not None and form.is_valid():
        try:
            event = services.consignment_event_record(
                consignment=row, **form.service_kwargs(), actor=request.user
            )
        except RoleRequired as error:
            raise PermissionDenied(str(error)) from None
        except ValidationError as error:
            form.add_service_error(error)
        else:
            label = EventKind(event.kind).label
            if event.flagged_out_of_order:
                messages.warning(
                    request, _("Recorded “%(kind)s”, flagged as reported late.") % {"kind": label}
                )
            else:
                messages.success(request, _("Recorded “%(kind)s”.") % {"kind": label})
            return redirect("access:consignment", consignment_id=row.id)
    context = {"consignment": row, "form": form, "can_record": can_record}
    return render(request, "access/consignment.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def crossings(request: HttpRequest) -> HttpResponse:
    """Crossings and their stated days (public); logistics coordinators state a day."""
    language = get_language()
    rows = list(selectors.crossing_list())
    can_set = user_has_role(request.user, Role.LOGISTICS)
    choices = [(c.code, c.name(language)) for c in rows]
    data = request.POST if request.method == "POST" else None
    if data is not None and not can_set:
        raise PermissionDenied(_("Your role does not allow this."))
    form = CrossingDayForm(data, crossings=choices)
    if data is not None and form.is_valid():
        try:
            services.crossing_day_set(**form.cleaned_data, actor=request.user)
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            messages.success(request, _("The crossing's day is recorded."))
            return redirect("access:crossings")
    days = list(selectors.crossing_day_list()[:200])
    context = {
        "crossings": rows,
        "days": days,
        "form": form,
        "can_set": can_set,
        "language": language,
    }
    return render(request, "access/crossings.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    actor = _require(request, Role.LOGISTICS)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[imports.RowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.consignment_import(form.cleaned_data["file"], actor=actor)
        except imports.ImportInvalid as error:
            problems = error.errors
        else:
            messages.success(
                request,
                _(
                    "Consignments recorded: %(consignments)d. Events recorded: %(events)d. "
                    "Rows recorded before, skipped: %(already)d."
                )
                % {
                    "consignments": result.consignments,
                    "events": result.events,
                    "already": result.already_recorded,
                },
            )
            return redirect("access:import")
    context = {"form": form, "problems": problems, "columns": imports.COLUMNS}
    return render(request, "access/import.html", context, status=400 if problems else 200)
