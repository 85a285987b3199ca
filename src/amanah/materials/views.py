"""Pages of construction materials: the public reconciliation (all projects, and one
project's, with the "unaccounted" flags), and the workspace where logistics, the leads'
staff and monitors record movements and monitors resolve flags. Views parse, call one
selector or service, render."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from amanah.accounts.models import Role, User
from amanah.accounts.roles import RoleRequired, user_has_role
from amanah.materials import selectors, services
from amanah.materials.forms import MovementForm, ResolveForm
from amanah.materials.models import UnaccountedFlag
from amanah.projects.models import Project

WORKERS = (Role.LOGISTICS, Role.PARTNER_STAFF, Role.MONITOR)


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
        "is_worker": user_has_role(request.user, *WORKERS),
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
