"""Pages of construction materials: the public reconciliation (all projects, and one
project's, with the "unaccounted" flags), and the workspace where logistics, the leads'
staff and monitors record movements and monitors resolve flags, and the staff's list of
individual movements (with a CSV). Views parse, call one selector or service, render."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from amanah.accounts.models import Role, User
from amanah.accounts.roles import RoleRequired, user_has_role
from amanah.materials import selectors, services
from amanah.materials.forms import MovementFilterForm, MovementForm, ResolveForm
from amanah.materials.models import StockMovement, UnaccountedFlag
from amanah.projects.models import Project

WORKERS = (Role.LOGISTICS, Role.PARTNER_STAFF, Role.MONITOR)
PER_PAGE = 50


def _require(request: HttpRequest, *roles: Role) -> User:
    if not user_has_role(request.user, *roles):
        raise PermissionDenied(_("Your role does not allow this."))
    return request.user  # type: ignore[return-value]


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    """Public: every project's reconciliation and the open flags."""
    context: dict[str, Any] = {
        "lines": selectors.lines(),
        "flags": selectors.flags(open_only=True),
        "tolerance_percent": services.tolerance() * 100,
        "on_site_days": services.on_site_days(),
        "is_worker": user_has_role(request.user, *WORKERS),
        "is_staff_reader": user_has_role(request.user, *selectors.STAFF_READERS),
    }
    return render(request, "materials/overview.html", context)


@require_safe
def project(request: HttpRequest, code: str) -> HttpResponse:
    """Public: one project's reconciliation, its flags (open and resolved)."""
    row = Project.objects.filter(code=code).first()
    if row is None:
        raise Http404
    context: dict[str, Any] = {
        "project": row,
        "lines": selectors.lines(row),
        "flags": selectors.flags(project=row),
        "totals": selectors.movement_totals(row),
        "tolerance_percent": services.tolerance() * 100,
        "on_site_days": services.on_site_days(),
    }
    return render(request, "materials/project.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def workspace(request: HttpRequest) -> HttpResponse:
    """Record a movement (a one-column form that works on a phone)."""
    user = _require(request, *WORKERS)
    data = request.POST if request.method == "POST" else None
    form = MovementForm(data, request.FILES or None, user=user)
    if data is not None and form.is_valid():
        try:
            photo = form.cleaned_data.get("photo")
            evidence = services.store_evidence([photo]) if photo else []
            row = services.movement_record(**form.service_kwargs(), evidence=evidence, actor=user)
        except ValidationError as error:
            form.add_service_error(error)
        except RoleRequired as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Recorded: %(kind)s, %(quantity)s %(unit)s.")
                % {
                    "kind": row.get_kind_display(),
                    "quantity": row.quantity.normalize(),
                    "unit": row.material.get_unit_display(),
                },
            )
            return redirect("materials:workspace")
    context = {
        "form": form,
        "flags": selectors.flags(open_only=True),
        "can_resolve": user.role == Role.MONITOR,
        "resolve_form": ResolveForm(),
        "blank_form": ResolveForm(),
        "is_staff_reader": user_has_role(user, *selectors.STAFF_READERS),
    }
    return render(request, "materials/workspace.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def resolve(request: HttpRequest, flag_id: uuid.UUID) -> HttpResponse:
    """A monitor resolves a flag with a photo and a note."""
    user = _require(request, Role.MONITOR)
    flag = UnaccountedFlag.objects.filter(pk=flag_id).first()
    if flag is None:
        raise Http404
    form = ResolveForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            evidence = services.store_evidence([form.cleaned_data["photo"]])
            services.flag_resolve(
                flag=flag, note=form.cleaned_data["note"], evidence=evidence, actor=user
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The flag is resolved."))
            return redirect("materials:project", code=flag.project.code)
    context = {
        "form": MovementForm(user=user),
        "flags": selectors.flags(open_only=True),
        "can_resolve": True,
        "resolve_form": form,
        "blank_form": ResolveForm(),
        "resolving": flag.pk,
    }
    return render(request, "materials/workspace.html", context, status=400)


def _filtered(request: HttpRequest) -> tuple[MovementFilterForm, QuerySet[StockMovement]]:
    form = MovementFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, selectors.movement_list().none()
    where = form.to_filter() if request.GET else None
    return form, selectors.movement_list(where)


@require_safe
@login_required
def movements(request: HttpRequest) -> HttpResponse:
    """Staff only: individual movements, warehouse names included, filtered and paged."""
    _require(request, *selectors.STAFF_READERS)
    form, rows = _filtered(request)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "materials/movements.html", context, status=400 if form.errors else 200)


# The CSV's columns: (heading, value of a row). A cell a spreadsheet would read as a
# formula (a vendor's name is typed by people) is prefixed with an apostrophe.
_CSV_COLUMNS: tuple[tuple[str, Callable[[StockMovement], str]], ...] = (
    ("day", lambda m: m.occurred_on.isoformat()),
    ("kind", lambda m: m.kind),
    ("material", lambda m: m.material.code),
    ("quantity", lambda m: format(m.quantity.normalize(), "f")),
    ("unit", lambda m: m.material.unit),
    ("warehouse", lambda m: m.warehouse.name),
    ("governorate", lambda m: m.warehouse.governorate),
    ("vendor", lambda m: m.vendor.name),
    ("project", lambda m: m.project.code if m.project else ""),
    ("consignment", lambda m: m.consignment.external_reference if m.consignment else ""),
    ("recorded_by", lambda m: m.recorded_by.username),
    ("log_index", lambda m: str(m.log_index)),
)


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@require_safe
@login_required
def movements_csv(request: HttpRequest) -> HttpResponse:
    """Staff only: the same filtered list, every row, as CSV."""
    _require(request, *selectors.STAFF_READERS)
    form, rows = _filtered(request)
    if form.errors:
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _value in _CSV_COLUMNS])
    for row in rows.iterator():
        writer.writerow([_cell(value(row)) for _name, value in _CSV_COLUMNS])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="material-movements.csv"'
    return response
