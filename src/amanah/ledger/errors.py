"""What the log's readers can be told is missing."""

from __future__ import annotations

from django.utils.translation import gettext as _

from amanah.core.errors import AmanahError, ErrorCode

__all__ = ["LogEntryNotFound", "NoCheckpoint"]


class NoCheckpoint(AmanahError):
    code = ErrorCode.NO_CHECKPOINT
    status = 404

    def message(self) -> str:
        return _("The log has no signed checkpoint yet.")


class LogEntryNotFound(AmanahError):
    code = ErrorCode.LOG_ENTRY_NOT_FOUND
    status = 404
    fields = ("index",)

    def message(self) -> str:
        return _("The log has no entry {index} under its latest signed checkpoint.")
