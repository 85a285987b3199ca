"""API schemas every app shares: the error body."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from amanah.core.errors import ErrorCode

__all__ = ["ErrorOut"]


class ErrorOut(Schema):
    """Every error the API returns (`AmanahError.as_dict`)."""

    code: ErrorCode
    message: str
    # The values the error is about; for `validation_failed`, each field at fault and
    # what is wrong with it.
    fields: dict[str, Any]
