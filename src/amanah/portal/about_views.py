"""The about page: how the fund is governed, the quorum policy in force, how to verify
everything this site says, and what it never publishes."""

from __future__ import annotations

import shlex

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from amanah.access.services import public_delay
from amanah.governance.selectors import board_overview
from amanah.ledger.wiring import log_verifier

PALESTINIAN = "palestinian"


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    board = board_overview()
    verifier = log_verifier()  # reading never creates a key: None where there is none yet
    key = None if verifier is None else verifier.key_text
    site = request.build_absolute_uri("/").removesuffix("/")
    log_url = request.build_absolute_uri(reverse("ledger:checkpoint")).removesuffix("/checkpoint")
    shown_key = key or "VERIFIER_KEY"
    context = {
        "board": board,
        "palestinian_seats": sum(PALESTINIAN in row.seat.groups for row in board.seats),
        "verifier_key": key,
        "log_url": log_url,
        "verify_command": shlex.join(["amanah-verify", "log", log_url, "--key", shown_key]),
        "audit_command": shlex.join(
            ["amanah", "audit", log_url, "--key", shown_key, "--against", site]
        ),
        "access_delay_hours": int(public_delay().total_seconds() // 3600),
    }
    return render(request, "portal/about.html", context)
