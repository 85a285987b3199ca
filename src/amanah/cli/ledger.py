"""`amanah log export` and `amanah log integrate`: the operator's commands on the server's log.

    amanah log export DIR     the log as /log/ serves it, as a static tree to mirror
    amanah log integrate      integrate recorded entries and sign a checkpoint now

Unlike `amanah-log` and `amanah-verify`, these read the server's database, so they set up
Django, and only when one of them runs: `amanah verify` still starts without it. Settings
come from DJANGO_SETTINGS_MODULE (default `amanah.settings.base`) and the AMANAH_*
environment, as for the server itself. Messages follow the POSIX locale (`LANG=ar_...`).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ._common import EXIT_FAILED, fail, progress_after, stderr, stdout

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Export and integrate the server's transparency log.",
)


@contextmanager
def _django() -> Iterator[None]:
    """Set Django up once, then speak the language of the operator's locale."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amanah.settings.base")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from django.utils import translation

    from amanah.core.i18n import language_from_environment

    with translation.override(language_from_environment()):
        yield


@app.command("export")
def export_command(
    directory: Annotated[
        Path, typer.Argument(help="Where to write it: missing, empty, or an earlier export.")
    ],
) -> None:
    """Write the log to DIR as /log/ serves it, for a web server or CDN to mirror.

    The latest signed checkpoint and every tile and entry bundle it implies, byte for byte;
    DIR must be missing, empty, or an earlier export of this log."""
    with _django():
        from django.utils.translation import gettext as _

        from amanah.ledger.export import ExportRefused, log_export
        from amanah.ledger.wiring import verifier_key_file

        try:
            with progress_after(_("exporting tiles")) as progress:
                result = log_export(directory, progress=progress)
        except ExportRefused as error:
            raise fail(str(error)) from error
        stdout.print(
            escape(
                _("Exported the checkpoint of size %(size)d and %(files)d tiles to %(directory)s.")
                % {"size": result.size, "files": result.files, "directory": directory}
            )
        )
        key_file = verifier_key_file()
        if key_file.is_file():
            command = [
                "amanah-verify",
                "log",
                str(directory),
                "--key",
                key_file.read_text().strip(),
            ]
            stdout.print(escape(_("Check it with: %(command)s") % {"command": shlex.join(command)}))


@app.command("integrate")
def integrate_command() -> None:
    """Integrate recorded entries not yet in the tiles, and sign a checkpoint.

    Each commit does this by itself; run it after a crash or a failed integration."""
    with _django():
        from django.utils.translation import gettext as _

        from amanah.ledger.models import SignedCheckpoint
        from amanah.ledger.services import integrate_pending
        from amanah.transparency import LogForked

        try:
            signed = integrate_pending()
        except (LogForked, RuntimeError) as error:
            label = _("refused:")
            stderr.print(f"[bold red]{escape(label)}[/] {escape(str(error))}")
            raise typer.Exit(EXIT_FAILED) from error
        if signed is not None:
            message = _("Signed a checkpoint of size %(size)d.") % {"size": signed.size}
        else:
            latest = SignedCheckpoint.objects.order_by("-size").first()
            message = _("Nothing pending: the latest checkpoint has size %(size)d.") % {
                "size": 0 if latest is None else latest.size
            }
        stdout.print(escape(message))
