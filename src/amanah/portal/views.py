"""Public pages. Views parse the request, call selectors, render: nothing else."""

from __future__ import annotations

import base64
import json
import shlex
import uuid
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from amanah.access.selectors import access_week
from amanah.accounts.models import Role
from amanah.accounts.roles import RoleRequired, user_has_role
from amanah.assets.selectors import damage_by_governorate
from amanah.core.formats import format_percent
from amanah.funds.book import STAGES
from amanah.funds.selectors import FiguresRow, fund_overview
from amanah.governance.models import Motion, MotionStatus
from amanah.governance.selectors import (
    board_member_handles,
    board_overview,
    member_handle,
    motion_detail,
    motion_list,
    motion_list_executed_latest,
)
from amanah.governance.services import motion_open, motion_refuse, motion_sign, motion_withdraw
from amanah.ledger.selectors import (
    log_entry_get,
    log_entry_list_latest,
    log_entry_receipt,
    log_overview,
)
from amanah.ledger.services import integrate_for_readers
from amanah.portal.forms import KeyProposeForm, MotionOpenForm
from amanah.portal.fund_views import STAGE_LABELS, allocated_map
from amanah.rounds.selectors import round_latest

LATEST_ENTRIES = 10
LATEST_DECISIONS = 5
# The fund at a glance: the five stages the home page shows (`fund_figures` has seven).
HEADLINE_STAGES = ("pledged", "paid", "allocated", "disbursed", "spent")
DONOR_HEADLINE_STAGES = ("pledged", "paid")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def receipt_filename(index: int) -> str:
    return f"amanah-entry-{index}.tlog-proof"


def _picked(stages: tuple[str, ...], amounts: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
    return tuple(amounts[STAGES.index(stage)] for stage in stages)


def _headline_rows(rows: tuple[FiguresRow, ...], stages: tuple[str, ...]) -> list[FiguresRow]:
    return [FiguresRow(row.key, _picked(stages, row.amounts)) for row in rows]


def _fund_at_a_glance() -> dict[str, Any]:
    """`fund_overview()` cut to the home page's stages: the same figures as /fund/."""
    overview = fund_overview()
    totals = _picked(HEADLINE_STAGES, overview.totals)
    return {
        "log_size": overview.figures["log_size"],
        "headline": [
            (stage, STAGE_LABELS[stage], amount)
            for stage, amount in zip(HEADLINE_STAGES, totals, strict=True)
        ],
        "stages": [(stage, STAGE_LABELS[stage]) for stage in HEADLINE_STAGES],
        "donor_stages": [(stage, STAGE_LABELS[stage]) for stage in DONOR_HEADLINE_STAGES],
        "by_donor": [
            (overview.donors.get(row.key), row)
            for row in _headline_rows(overview.by_donor, DONOR_HEADLINE_STAGES)
        ],
        "by_sector": _headline_rows(overview.by_sector, HEADLINE_STAGES),
        "by_governorate": _headline_rows(overview.by_governorate, HEADLINE_STAGES),
        "by_month": _headline_rows(overview.by_month, HEADLINE_STAGES),
        "allocated_map": allocated_map(overview.by_governorate),
    }


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The fund at a glance, the latest decisions, access this week, and the log."""
    integrate_for_readers()  # show every committed entry, even one a batch still holds
    log = log_overview()
    # The verifier takes the log's prefix, the URL that `checkpoint` and `tile/` hang from.
    log_url = request.build_absolute_uri(reverse("ledger:checkpoint")).removesuffix("/checkpoint")
    access = access_week()
    rate = access.denial_rate
    context = {
        "log": log,
        "log_url": log_url,
        "verify_command": "",
        "root_hash": "",
        "fund": _fund_at_a_glance(),
        "decisions": motion_list_executed_latest(limit=LATEST_DECISIONS),
        "access": access,
        "denial_rate": None if rate is None else format_percent(rate, 1),
        "latest_round": round_latest(),
        "damage": damage_by_governorate().total,
    }
    if log is not None:
        context["root_hash"] = _b64(log.root_hash)
        context["verify_command"] = shlex.join(
            ["amanah-verify", "log", log_url, "--key", log.verifier_key or "VERIFIER_KEY"]
        )
        context["latest_entries"] = log_entry_list_latest(limit=LATEST_ENTRIES)
    return render(request, "portal/home.html", context)


@require_safe
def entry(request: HttpRequest, index: int) -> HttpResponse:
    integrate_for_readers()
    detail = log_entry_get(index=index)
    if detail is None:
        raise Http404("no signed checkpoint covers this entry")
    context = {
        "entry": detail,
        "data_json": json.dumps(detail.data, indent=2, ensure_ascii=False),
        "leaf_hash": _b64(detail.leaf_hash),
        "receipt_filename": receipt_filename(index),
        "verify_command": shlex.join(
            [
                "amanah-verify",
                "receipt",
                receipt_filename(index),
                "--key",
                detail.verifier_key or "VERIFIER_KEY",
            ]
        ),
    }
    return render(request, "portal/entry.html", context)


@require_safe
def entry_receipt(request: HttpRequest, index: int) -> HttpResponse:
    integrate_for_readers()
    receipt = log_entry_receipt(index=index)
    if receipt is None:
        raise Http404("no signed checkpoint covers this entry")
    response = HttpResponse(receipt, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{receipt_filename(index)}"'
    return response


@require_safe
def motions(request: HttpRequest) -> HttpResponse:
    context = {
        "motions": list(motion_list()),
        "can_open": user_has_role(request.user, Role.SECRETARIAT),
    }
    return render(request, "portal/motions.html", context)


def _motion_page(
    request: HttpRequest,
    motion_id: uuid.UUID,
    *,
    refusal_errors: list[str] | None = None,
    withdrawal_errors: list[str] | None = None,
) -> HttpResponse:
    detail = motion_detail(motion_id)
    if detail is None:
        raise Http404("no such motion")
    member = user_has_role(request.user, Role.BOARD_MEMBER)
    is_open = detail.motion.status == MotionStatus.OPEN
    context = {
        "detail": detail,
        "motion": detail.motion,
        "payload_json": json.dumps(detail.payload, indent=2, ensure_ascii=False),
        "can_act": member and is_open,
        "can_withdraw": is_open and user_has_role(request.user, Role.SECRETARIAT),
        "member": member_handle(request.user) if member else "",  # type: ignore[arg-type]
        "payload_base64": _b64(bytes(detail.motion.payload)),
        "refusal_errors": refusal_errors or [],
        "withdrawal_errors": withdrawal_errors or [],
    }
    failed = bool(refusal_errors or withdrawal_errors)
    return render(request, "portal/motion.html", context, status=400 if failed else 200)


@require_safe
def motion(request: HttpRequest, motion_id: uuid.UUID) -> HttpResponse:
    return _motion_page(request, motion_id)


def _messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


@require_POST
@login_required
def motion_sign_view(request: HttpRequest, motion_id: uuid.UUID) -> HttpResponse:
    """A signature made in the browser (sign.js): form fields in, JSON out."""
    target = Motion.objects.filter(pk=motion_id).first()
    if target is None:
        raise Http404("no such motion")
    try:
        signature = base64.b64decode(request.POST.get("signature_base64", ""), validate=True)
    except ValueError:
        return JsonResponse({"errors": [_("Give the signature in standard base64.")]}, status=400)
    try:
        signed = motion_sign(
            motion=target,
            key_id=request.POST.get("key_id", ""),
            signature=signature,
            actor=request.user,  # type: ignore[arg-type]
        )
    except RoleRequired as error:
        return JsonResponse({"errors": [str(error)]}, status=403)
    except ValidationError as error:
        return JsonResponse({"errors": _messages(error)}, status=400)
    signed.refresh_from_db()
    return JsonResponse(
        {
            "status": signed.status,
            "message": _("Your signature was recorded. The motion is now: %(status)s.")
            % {"status": signed.get_status_display()},
        }
    )


@require_POST
@login_required
def motion_refuse_view(request: HttpRequest, motion_id: uuid.UUID) -> HttpResponse:
    """A refusal, as a plain form: works without JavaScript."""
    target = Motion.objects.filter(pk=motion_id).first()
    if target is None:
        raise Http404("no such motion")
    try:
        motion_refuse(
            motion=target,
            reason=request.POST.get("reason", ""),
            actor=request.user,  # type: ignore[arg-type]
        )
    except RoleRequired as error:
        raise PermissionDenied(str(error)) from None
    except ValidationError as error:
        return _motion_page(request, motion_id, refusal_errors=_messages(error))
    return redirect("portal:motion", motion_id=motion_id)


@require_POST
@login_required
def motion_withdraw_view(request: HttpRequest, motion_id: uuid.UUID) -> HttpResponse:
    """The secretariat withdraws an open motion, saying why: a plain form."""
    target = Motion.objects.filter(pk=motion_id).first()
    if target is None:
        raise Http404("no such motion")
    try:
        motion_withdraw(
            motion=target,
            reason=request.POST.get("reason", ""),
            actor=request.user,  # type: ignore[arg-type]
        )
    except RoleRequired as error:
        raise PermissionDenied(str(error)) from None
    except ValidationError as error:
        return _motion_page(request, motion_id, withdrawal_errors=_messages(error))
    return redirect("portal:motion", motion_id=motion_id)


def _require_secretariat(request: HttpRequest) -> None:
    if not user_has_role(request.user, Role.SECRETARIAT):
        raise PermissionDenied(_("Only the secretariat opens motions."))


def _motion_form(request: HttpRequest) -> MotionOpenForm:
    board = board_overview()
    choices = {
        "members": board_member_handles(),
        "keys": board.keys,
        "seats": board.seats,
        "policy": board.policy,
    }
    if request.method == "POST":
        return MotionOpenForm(request.POST, **choices)
    return MotionOpenForm(
        initial=MotionOpenForm.initial_for(request.GET.get("kind", "")), **choices
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def motion_new(request: HttpRequest) -> HttpResponse:
    """Open a motion (secretariat). `?kind=` picks the effect's fields without JavaScript;
    with htmx, changing the kind swaps in only the effect's fieldset."""
    _require_secretariat(request)
    form = _motion_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            opened = motion_open(**form.motion_kwargs(), actor=request.user)  # type: ignore[arg-type]
        except RoleRequired as error:
            raise PermissionDenied(str(error)) from None
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return redirect("portal:motion", motion_id=opened.id)
    template = "portal/motion_new.html"
    if request.htmx and not request.htmx.history_restore_request:  # type: ignore[attr-defined]
        template += "#effect"
    return render(request, template, {"form": form}, status=400 if form.errors else 200)


def _keys_page(request: HttpRequest, form: KeyProposeForm | None = None) -> HttpResponse:
    if not user_has_role(request.user, Role.BOARD_MEMBER):
        raise PermissionDenied(_("Only board members hold signing keys."))
    member = member_handle(request.user)  # type: ignore[arg-type]
    context = {
        "member": member,
        "registered": [key for key in board_overview().keys if key.member == member],
        "form": form or KeyProposeForm(),
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "portal/keys.html", context, status=status)


@require_safe
@login_required
def keys(request: HttpRequest) -> HttpResponse:
    """Create a signing key in this browser (sign.js); the server never sees it. Lists the
    member's registered keys, and offers to propose the browser's key to the board."""
    return _keys_page(request)


@require_POST
@login_required
def keys_propose(request: HttpRequest) -> HttpResponse:
    """Open the `key.register` motion of the member's own key, made in this browser."""
    if not user_has_role(request.user, Role.BOARD_MEMBER):
        raise PermissionDenied(_("Only board members hold signing keys."))
    form = KeyProposeForm(request.POST)
    if form.is_valid():
        member = member_handle(request.user)  # type: ignore[arg-type]
        try:
            opened = motion_open(**form.motion_kwargs(member), actor=request.user)  # type: ignore[arg-type]
        except RoleRequired as error:
            raise PermissionDenied(str(error)) from None
        except ValidationError as error:
            form.add_error("public_key", _messages(error))
        else:
            return redirect("portal:motion", motion_id=opened.id)
    return _keys_page(request, form)


@require_safe
def board(request: HttpRequest) -> HttpResponse:
    """The board now: seats and holders, keys, the quorum policy in force."""
    return render(request, "portal/board.html", {"board": board_overview()})
