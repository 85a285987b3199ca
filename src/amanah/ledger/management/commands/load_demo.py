"""`manage.py load_demo`: give `make run` a log worth looking at, once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amanah.core.i18n import language_from_environment
from amanah.ledger.demo import demo_entries
from amanah.ledger.wiring import log_directory, verifier_key_file
from amanah.transparency import FileLog, StorageError


class Command(BaseCommand):
    help = gettext_lazy(
        "Create the transparency log with illustrative entries, unless it already holds some."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(language_from_environment()):
            directory = log_directory()
            log = _open_or_init(directory)
            if log.size:
                self.stdout.write(
                    _("The log in %(directory)s already exists (entries: %(size)d); nothing to do.")
                    % {"directory": directory, "size": log.size}
                )
            else:
                log.append(demo_entries())
                log.checkpoint()
                self.stdout.write(
                    self.style.SUCCESS(
                        _("Created the log %(origin)s in %(directory)s (demo entries: %(size)d).")
                        % {"origin": log.origin, "directory": directory, "size": log.size}
                    )
                )
            if _write_if_changed(verifier_key_file(), log.verifier_key + "\n"):
                self.stdout.write(
                    _("Wrote the log's public key to %(file)s.") % {"file": verifier_key_file()}
                )


def _open_or_init(directory: Path) -> FileLog:
    """The log in `directory`, created empty (with a new key) if there is none.

    An existing but empty log is filled rather than skipped, so a run interrupted between
    creating the log and appending the demo still ends with the demo.
    """
    try:
        return FileLog.open(directory)
    except StorageError:
        pass
    try:
        return FileLog.init(directory, origin=settings.AMANAH_LOG_ORIGIN)
    except StorageError as error:
        raise CommandError(
            _("Cannot create a log in %(directory)s: %(error)s")
            % {"directory": directory, "error": error}
        ) from error


def _write_if_changed(file: Path, text: str) -> bool:
    try:
        if file.read_text(encoding="utf-8") == text:
            return False
    except FileNotFoundError:
        file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    return True
