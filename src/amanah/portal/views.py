"""Public pages. Views parse the request, call selectors, render: nothing else."""

from __future__ import annotations

import base64
import json
import shlex
import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from amanah.accounts.models import Role
from amanah.accounts.roles import RoleRequired, user_has_role
from amanah.governance.models import Motion, MotionStatus
from amanah.governance.selectors import member_handle, motion_detail, motion_list
from amanah.governance.services import motion_refuse, motion_sign
from amanah.ledger.selectors import (
    log_entry_get,
    log_entry_list_latest,
    log_entry_receipt,
    log_overview,
)

LATEST_ENTRIES = 10


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def receipt_filename(index: int) -> str:
    return f"amanah-entry-{index}.tlog-proof"


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    log = log_overview()
    # The verifier takes the log's prefix, the URL that `checkpoint` and `tile/` hang from.
    log_url = request.build_absolute_uri(reverse("ledger:checkpoint")).removesuffix("/checkpoint")
    context = {"log": log, "log_url": log_url, "verify_command": "", "root_hash": ""}
    if log is not None:
        context["root_hash"] = _b64(log.root_hash)
        context["verify_command"] = shlex.join(
            ["amanah-verify", "log", log_url, "--key", log.verifier_key or "VERIFIER_KEY"]
        )
        context["latest_entries"] = log_entry_list_latest(limit=LATEST_ENTRIES)
    return render(request, "portal/home.html", context)


@require_safe
def entry(request: HttpRequest, index: int) -> HttpResponse:
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
    receipt = log_entry_receipt(index=index)
    if receipt is None:
        raise Http404("no signed checkpoint covers this entry")
    response = HttpResponse(receipt, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{receipt_filename(index)}"'
    return response


@require_safe
def motions(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/motions.html", {"motions": list(motion_list())})


def _motion_page(
    request: HttpRequest, motion_id: uuid.UUID, *, refusal_errors: list[str] | None = None
) -> HttpResponse:
    detail = motion_detail(motion_id)
    if detail is None:
        raise Http404("no such motion")
    member = user_has_role(request.user, Role.BOARD_MEMBER)
    context = {
        "detail": detail,
        "motion": detail.motion,
        "payload_json": json.dumps(detail.payload, indent=2, ensure_ascii=False),
        "can_act": member and detail.motion.status == MotionStatus.OPEN,
        "member": member_handle(request.user) if member else "",  # type: ignore[arg-type]
        "payload_base64": _b64(bytes(detail.motion.payload)),
        "refusal_errors": refusal_errors or [],
    }
    return render(request, "portal/motion.html", context, status=400 if refusal_errors else 200)


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


@require_safe
@login_required
def keys(request: HttpRequest) -> HttpResponse:
    """Create a signing key in this browser (sign.js); the server never sees it."""
    if not user_has_role(request.user, Role.BOARD_MEMBER):
        raise PermissionDenied(_("Only board members hold signing keys."))
    return render(request, "portal/keys.html", {"member": member_handle(request.user)})  # type: ignore[arg-type]
