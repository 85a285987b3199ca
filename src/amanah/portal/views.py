"""Public pages. Views parse the request, call selectors, render: nothing else."""

from __future__ import annotations

import base64
import json
import shlex
import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from amanah.governance.selectors import motion_detail, motion_list
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


@require_safe
def motion(request: HttpRequest, motion_id: uuid.UUID) -> HttpResponse:
    detail = motion_detail(motion_id)
    if detail is None:
        raise Http404("no such motion")
    context = {
        "detail": detail,
        "motion": detail.motion,
        "payload_json": json.dumps(detail.payload, indent=2, ensure_ascii=False),
    }
    return render(request, "portal/motion.html", context)
