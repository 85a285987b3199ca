"""Pages of damage and rebuilding: the public register (a map, a chart and a table per
governorate, then the list) and an asset's page with its assessments; the staff's forms
to register an asset, record an assessment, link the project rebuilding it and import
assessments from a CSV file. Views parse, call one selector or service, render.

Do no harm: nothing here puts an asset's point or an assessment's note on a page anyone
but the staff's forms see; the public pages name the governorate only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, get_language_bidi, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from amanah.accounts.models import Role, User
from amanah.accounts.roles import RoleRequired, user_has_role
from amanah.assets import conditions, imports, selectors, services
from amanah.assets.forms import AssessForm, FilterForm, ImportForm, LinkForm, RegisterForm
from amanah.assets.models import Asset, Condition
from amanah.core import charts
from amanah.core.csvimport import ImportInvalid, RowError
from amanah.core.formats import format_number
from amanah.orgs.selectors import organisation_list
from amanah.reference import svgmap
from amanah.reference.geography import governorate, governorates

PER_PAGE = 50
ASSESSORS = (Role.SECRETARIAT, Role.MONITOR)
LINKERS = (Role.SECRETARIAT,)

# Worst first, as conditions.CONDITIONS; each colour has 3:1 contrast on white, and the
# table beside the chart gives every figure, so colour is never the only difference.
COLOURS = {
    "destroyed": "#7a1a14",
    "severe": "#b3261e",
    "moderate": "#b35a00",
    "possible": "#8a6100",
    "undamaged": "#1f5fa8",
    "restored": "#0b6e4f",
    "not_assessed": "#6c757d",
}


def _require(request: HttpRequest, *roles: Role) -> User:
    if not user_has_role(request.user, *roles):
        raise PermissionDenied(_("Your role does not allow this."))
    return request.user  # type: ignore[return-value]


def _asset(code: str) -> Asset:
    asset = selectors.asset_by_code(code)
    if asset is None:
        raise Http404("no such asset")
    return asset


def _governorate_name(pcode: str) -> str:
    return governorate(pcode).name(get_language() or "en")


# --- public ------------------------------------------------------------------------------


def _damage_map(table: selectors.DamageTable) -> svgmap.ChoroplethMap:
    """The number of assets currently damaged (destroyed, severe, moderate) in each
    governorate."""
    return svgmap.choropleth(
        {pcode: tally.damaged for pcode, tally in table.by_governorate.items()},
        language=get_language() or "en",
        fmt=format_number,
        label=_("Assets damaged now"),
    )


def _condition_chart(table: selectors.DamageTable, names: dict[str, str]) -> charts.BarChart:
    """Each governorate's assets by current condition, stacked worst first."""
    labels = dict(Condition.choices)
    series = [charts.Series(c, str(labels[c]), COLOURS[c]) for c in conditions.CONDITIONS]
    series.append(charts.Series("not_assessed", _("Not assessed"), COLOURS["not_assessed"]))
    rows = []
    for pcode, tally in table.by_governorate.items():
        values = (*(tally.by_condition[c] for c in conditions.CONDITIONS), tally.not_assessed)
        rows.append(
            charts.Row(
                key=pcode,
                label=names[pcode],
                values=values,
                texts=tuple(format_number(v) for v in values),
            )
        )
    return charts.bar_chart(rows, series, rtl=get_language_bidi(), width=600)


@require_safe
def asset_list(request: HttpRequest) -> HttpResponse:
    """Public: the damage by governorate (of the kind chosen), then the register."""
    form = FilterForm(request.GET)
    chosen = form.filters()
    language = get_language() or "en"
    names = {g.pcode: g.name(language) for g in governorates()}
    table = selectors.damage_by_governorate(chosen["kind"])
    page = Paginator(selectors.assets(**chosen), PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "form": form,
        "filtered": any(chosen.values()),
        "query": urlencode({name: value for name, value in chosen.items() if value}),
        "page": page,
        "names": names,
        "tallies": [(names[pcode], tally) for pcode, tally in table.by_governorate.items()],
        "total": table.total,
        "damage_map": _damage_map(table),
        "condition_chart": _condition_chart(table, names),
        "can_assess": user_has_role(request.user, *ASSESSORS),
    }
    return render(request, "assets/list.html", context)


@require_safe
def asset_page(request: HttpRequest, code: str) -> HttpResponse:
    """Public: an asset, its condition and every assessment of it, each with its entry."""
    asset = _asset(code)
    history = selectors.history(asset)
    context: dict[str, Any] = {
        "asset": asset,
        "history": history,
        "governorate_name": _governorate_name(asset.governorate),
        "damaged_again": conditions.damaged_again(a.as_assessed() for a in history),
        "can_assess": user_has_role(request.user, *ASSESSORS),
        "can_link": user_has_role(request.user, *LINKERS),
    }
    return render(request, "assets/asset.html", context)


# --- the staff ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def asset_new(request: HttpRequest) -> HttpResponse:
    """Register an asset (the secretariat, monitors)."""
    actor = _require(request, *ASSESSORS)
    owners = [
        (o.iati_identifier, f"{o.display_name} ({o.iati_identifier})") for o in organisation_list()
    ]
    projects = [(p.code, f"{p.code} — {p.title}") for p in selectors.projects_in()]
    data = request.POST if request.method == "POST" else None
    form = RegisterForm(data, owners=owners, projects=projects)
    if data is not None and form.is_valid():
        try:
            asset = services.asset_register(**form.cleaned_data, actor=actor)
        except RoleRequired as error:
            raise PermissionDenied(str(error)) from None
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Asset %(code)s registered: log entry %(index)s.")
                % {"code": asset.code, "index": asset.registered_index},
            )
            return redirect("assets:asset", code=asset.code)
    status = 400 if form.errors else 200
    return render(request, "assets/new.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def asset_assess(request: HttpRequest, code: str) -> HttpResponse:
    """Record an assessment of an asset (the secretariat, monitors)."""
    actor = _require(request, *ASSESSORS)
    asset = _asset(code)
    data = request.POST if request.method == "POST" else None
    form = AssessForm(data)
    if data is not None and form.is_valid():
        try:
            done = services.asset_assess(asset=asset, **form.cleaned_data, actor=actor)
        except RoleRequired as error:
            raise PermissionDenied(str(error)) from None
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Assessment recorded: log entry %(index)s.") % {"index": done.log_index},
            )
            return redirect("assets:asset", code=asset.code)
    context = {"asset": asset, "form": form, "is_monitor": user_has_role(actor, Role.MONITOR)}
    return render(request, "assets/assess.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def asset_link(request: HttpRequest, code: str) -> HttpResponse:
    """Link an asset to the project rebuilding it, or to none (the secretariat)."""
    actor = _require(request, *LINKERS)
    asset = _asset(code)
    projects = [(p.code, f"{p.code} — {p.title}") for p in selectors.projects_in(asset.governorate)]
    data = request.POST if request.method == "POST" else None
    current = asset.project.code if asset.project else ""
    form = LinkForm(data, projects=projects, initial={"project": current})
    if data is not None and form.is_valid():
        try:
            services.asset_link(asset=asset, project=form.cleaned_data["project"], actor=actor)
        except RoleRequired as error:
            raise PermissionDenied(str(error)) from None
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The project rebuilding the asset is recorded."))
            return redirect("assets:asset", code=asset.code)
    context = {
        "asset": asset,
        "form": form,
        "governorate_name": _governorate_name(asset.governorate),
    }
    return render(request, "assets/link.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def asset_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV file of assessments: every row is recorded, or none, and each wrong row
    is listed with its line and column (the secretariat, monitors)."""
    actor = _require(request, *ASSESSORS)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            recorded = imports.assessments_import(form.cleaned_data["text"], actor=actor)
        except RoleRequired as error:
            raise PermissionDenied(str(error)) from None
        except ImportInvalid as error:
            problems = error.errors
        else:
            count = len(recorded)
            messages.success(
                request,
                ngettext("%(count)d assessment recorded.", "%(count)d assessments recorded.", count)
                % {"count": count},
            )
            return redirect("assets:list")
    context = {"form": form, "problems": problems, "columns": imports.COLUMNS}
    status = 400 if problems or form.errors else 200
    return render(request, "assets/import.html", context, status=status)
