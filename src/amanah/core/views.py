from __future__ import annotations

import shlex
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from amanah.core.selectors import log_overview


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    log = log_overview(Path(settings.AMANAH_LOG_DIR))
    # The verifier takes the log's prefix, the URL that `checkpoint` and `tile/` hang from.
    log_url = request.build_absolute_uri(reverse("ledger:checkpoint")).removesuffix("/checkpoint")
    verify_command = ""
    if log:
        key = log.verifier_key or "VERIFIER_KEY"  # a mirror: the key is published elsewhere
        verify_command = shlex.join(["amanah-verify", "log", log_url, "--key", key])
    return render(
        request,
        "core/home.html",
        {"log": log, "log_url": log_url, "verify_command": verify_command},
    )
