"""One error base for everything a user can be told went wrong.

    AmanahError                    code, status, fields; message() is translated
     +-- RequestInvalid            422: the request names fields that are not valid
     +-- AuthenticationRequired    401: no credentials were sent
     +-- TokenInvalid              401: the API token is unknown, revoked, or its user inactive
     +-- PermissionDenied          403
     +-- NotFound                  404: no such address
     +-- HttpProblem               any other HTTP status the framework raises
     +-- ... one subclass per domain failure, in its app (ledger.errors, accounts.roles)

Clients match on `code`, never on the message: a code, once published, is never renamed
or reused, only added (it is also an enum in docs/openapi.json). `fields` names the values
an error is about; `message()` returns the translated sentence with `{name}` placeholders
for them, and `str(error)` fills them in, in the active language. The API renders every
error as `{"code", "message", "fields"}`; pages put it on the form; the CLI prints it.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

__all__ = [
    "AmanahError",
    "AuthenticationRequired",
    "ErrorCode",
    "HttpProblem",
    "NotFound",
    "PermissionDenied",
    "RequestInvalid",
    "TokenInvalid",
]


class ErrorCode(StrEnum):
    """Every error code the application can return. Stable: add, never rename or reuse."""

    VALIDATION_FAILED = "validation_failed"
    BAD_REQUEST = "bad_request"
    AUTHENTICATION_REQUIRED = "authentication_required"
    TOKEN_INVALID = "token_invalid"  # noqa: S105 (an error code, not a secret)
    PERMISSION_DENIED = "permission_denied"
    ROLE_REQUIRED = "role_required"
    NOT_FOUND = "not_found"
    THROTTLED = "throttled"
    HTTP_ERROR = "http_error"
    LOG_ENTRY_NOT_FOUND = "log_entry_not_found"
    NO_CHECKPOINT = "no_checkpoint"


class AmanahError(Exception):
    """Base of every error shown to a user. A subclass sets `code`, `status` and `fields`,
    and returns its translated sentence from `message()`:

        class QuorumNotReached(AmanahError):
            code = ErrorCode.QUORUM_NOT_REACHED
            status = 409
            fields = ("motion_id", "have", "need")
            def message(self) -> str:
                return _("Motion {motion_id} has {have} of {need} required signatures.")

        raise QuorumNotReached(motion_id=7, have=2, need=3)
    """

    code: ErrorCode
    status: int = 400
    fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **values: Any) -> None:
        if set(values) != set(self.fields):
            raise TypeError(
                f"{type(self).__name__} takes the fields {sorted(self.fields)},"
                f" not {sorted(values)}"
            )
        self.values: dict[str, Any] = values
        super().__init__(*values.values())

    def message(self) -> str:
        """The translated sentence, with a `{name}` placeholder for each of `fields`."""
        raise NotImplementedError

    def __str__(self) -> str:
        return self.message().format_map(self.values)

    def as_dict(self) -> dict[str, Any]:
        """The error as the API renders it, in the active language."""
        return {"code": self.code.value, "message": str(self), "fields": dict(self.values)}


class RequestInvalid(AmanahError):
    """Some fields of a request are not valid. `values` maps each field's name (dotted for
    nested fields: `items.0.amount`) to what is wrong with it, as a translated sentence."""

    code = ErrorCode.VALIDATION_FAILED
    status = 422

    def __init__(self, problems: Mapping[str, str]) -> None:
        if not problems:
            raise ValueError("RequestInvalid needs at least one field at fault")
        self.values = dict(problems)
        Exception.__init__(self, self.values)

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> RequestInvalid:
        """A service's `ValidationError` (which names its fields in `message_dict`) as the
        API's error; one without a field is about the request as a whole."""
        if not hasattr(error, "error_dict"):
            return cls({NON_FIELD_ERRORS: " ".join(error.messages)})
        return cls({name: " ".join(messages) for name, messages in error.message_dict.items()})

    def message(self) -> str:
        return _("These fields are not valid: {names}.")

    def __str__(self) -> str:
        separator = pgettext("separator between the items of a list", ", ")
        return self.message().format(names=separator.join(self.values))


class AuthenticationRequired(AmanahError):
    code = ErrorCode.AUTHENTICATION_REQUIRED
    status = 401

    def message(self) -> str:
        return _("Sign in first: send an API token as 'Authorization: Bearer <token>'.")


class TokenInvalid(AmanahError):
    code = ErrorCode.TOKEN_INVALID
    status = 401

    def message(self) -> str:
        return _("This API token is not valid: it is unknown or was revoked.")


class PermissionDenied(AmanahError):
    code = ErrorCode.PERMISSION_DENIED
    status = 403

    def message(self) -> str:
        return _("You are not allowed to do this.")


class NotFound(AmanahError):
    code = ErrorCode.NOT_FOUND
    status = 404

    def message(self) -> str:
        return _("There is nothing at this address.")


class HttpProblem(AmanahError):
    """An HTTP error the framework raised with no more specific class: 400, 429 ..."""

    fields = ("status",)

    _CODES: ClassVar[dict[int, ErrorCode]] = {
        400: ErrorCode.BAD_REQUEST,
        429: ErrorCode.THROTTLED,
    }

    def __init__(self, *, status: int) -> None:
        super().__init__(status=status)
        self.status = status
        self.code = self._CODES.get(status, ErrorCode.HTTP_ERROR)

    def message(self) -> str:
        messages = {
            ErrorCode.BAD_REQUEST: _("The request could not be read."),
            ErrorCode.THROTTLED: _("Too many requests: wait a moment, then try again."),
        }
        return messages.get(self.code, _("The request failed with HTTP status {status}."))
