"""Every error the API returns has one shape, `{"code", "message", "fields"}`.

`install_error_handlers` maps each exception to an `AmanahError` and renders it: our own
errors as they are, Ninja's validation errors as `RequestInvalid` naming every field at
fault, its 401/403/HTTP errors and Django's 404 as the matching error. Messages are in the
request's language (see `api.main._in_the_requested_language`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from amanah.core.errors import (
    AmanahError,
    AuthenticationRequired,
    HttpProblem,
    NotFound,
    PermissionDenied,
    RequestInvalid,
    TokenInvalid,
)

__all__ = ["FALLBACK_PROBLEM", "FIELD_PROBLEMS", "field_problems", "install_error_handlers"]

# What is wrong with a field, by pydantic error type; `{name}` is filled from the error's
# context. A type missing here still names the field, with the fallback sentence.
FIELD_PROBLEMS: Mapping[str, Promise] = {
    "missing": _("This field is required."),
    "extra_forbidden": _("This field is not expected here."),
    "int_type": _("Enter a whole number."),
    "int_parsing": _("Enter a whole number."),
    "int_from_float": _("Enter a whole number."),
    "decimal_type": _("Enter a decimal number."),
    "decimal_parsing": _("Enter a decimal number."),
    "string_type": _("Enter text."),
    "bool_type": _("Enter true or false."),
    "bool_parsing": _("Enter true or false."),
    "date_type": _("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": _("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": _("Enter a date without a time of day."),
    "datetime_type": _("Enter a date and time as YYYY-MM-DDTHH:MM:SSZ."),
    "datetime_from_date_parsing": _("Enter a date and time as YYYY-MM-DDTHH:MM:SSZ."),
    "timezone_aware": _("Give the time zone, for example Z for UTC."),
    "list_type": _("Enter a list."),
    "dict_type": _("Enter an object."),
    "model_type": _("Enter an object."),
    "model_attributes_type": _("Enter an object."),
    "json_invalid": _("This is not valid JSON."),
    "enum": _("Choose one of: {expected}."),
    "literal_error": _("Choose one of: {expected}."),
    "greater_than": _("Enter a value greater than {gt}."),
    "greater_than_equal": _("Enter a value of at least {ge}."),
    "less_than": _("Enter a value less than {lt}."),
    "less_than_equal": _("Enter a value of at most {le}."),
    # Worded so that no noun agrees with the number, which Arabic would need six ways.
    "string_too_short": _("Too short: the minimum length is {min_length}."),
    "string_too_long": _("Too long: the maximum length is {max_length}."),
    "too_short": _("Too few items: the minimum is {min_length}."),
    "too_long": _("Too many items: the maximum is {max_length}."),
    "string_pattern_mismatch": _("This value does not have the expected form."),
}
FALLBACK_PROBLEM = _("This value is not valid.")


def field_problems(errors: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Ninja's validation errors as {field name: what is wrong, translated}."""
    problems: dict[str, str] = {}
    for error in errors:
        name = _field_name(error.get("loc", ()))
        problem = _problem(error)
        problems[name] = f"{problems[name]} {problem}" if name in problems else problem
    return problems


def _field_name(loc: Sequence[Any]) -> str:
    """("query", "limit") -> "limit"; ("body", "payload", "items", 0) -> "items.0".

    The first item is where the value came from. A request body is one schema, whose
    parameter name is not in the JSON, so it is left out too.
    """
    parts = list(loc[1:])
    if loc[:1] == ("body",) and len(parts) > 1:
        parts = parts[1:]
    return ".".join(str(part) for part in parts) or str(loc[0] if loc else "request")


def _problem(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind in ("value_error", "assertion_error"):
        # Raised by our own validators, which write translated sentences.
        return str(error.get("ctx", {}).get("error", FALLBACK_PROBLEM))
    template = FIELD_PROBLEMS.get(kind, FALLBACK_PROBLEM)
    try:
        return str(template).format_map(error.get("ctx", {}))
    except (KeyError, IndexError, ValueError):
        return str(FALLBACK_PROBLEM)


def _as_amanah_error(exc: Exception) -> AmanahError:
    if isinstance(exc, AmanahError):
        return exc
    if isinstance(exc, ValidationError):
        return RequestInvalid(field_problems(exc.errors))
    if isinstance(exc, AuthenticationError):
        return AuthenticationRequired()
    if isinstance(exc, AuthorizationError):
        return PermissionDenied()
    if isinstance(exc, HttpError):
        return HttpProblem(status=exc.status_code)
    if isinstance(exc, Http404):
        return NotFound()
    raise TypeError(f"no error response for {type(exc).__name__}")


def install_error_handlers(api: NinjaAPI) -> None:
    """Render every error `api` knows of as `{"code", "message", "fields"}`."""

    def handler(request: HttpRequest, exc: Exception) -> HttpResponse:
        error = _as_amanah_error(exc)
        response = api.create_response(request, error.as_dict(), status=error.status)
        if error.status == 401:
            # RFC 6750 §3: name the scheme to use, and say whether a token was refused.
            refused = ', error="invalid_token"' if isinstance(error, TokenInvalid) else ""
            response["WWW-Authenticate"] = f'Bearer realm="amanah"{refused}'
        return response

    for exception_class in (AmanahError, ValidationError, HttpError, Http404):
        api.add_exception_handler(exception_class, handler)
