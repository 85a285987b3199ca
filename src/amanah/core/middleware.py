"""Response headers Django 5.2 has no setting for."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


def content_security_policy(
    get_response: Callable[[HttpRequest], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    """Send `settings.AMANAH_CONTENT_SECURITY_POLICY` unless the view chose its own.

    Pages load nothing from elsewhere and run no inline script, so a strict policy costs
    nothing and blunts any HTML injection that slips through escaping.
    """

    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        response.headers.setdefault(
            "Content-Security-Policy", settings.AMANAH_CONTENT_SECURITY_POLICY
        )
        return response

    return middleware
