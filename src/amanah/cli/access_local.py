"""`amanah access import-local` and `amanah access publish`: on the server's own database.

`import-local` imports a logistics cluster's CSV of consignments and events, with a bar
that follows the rows as they are checked: every row or none, each wrong row named.
`publish` logs what the public delay has made public (run it from a timer, hourly). Both
set Django up, like `amanah log export`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ._common import EXIT_FAILED, fail, progress_after, stderr, stdout
from .ledger import _django

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Humanitarian access on this server's database: import a CSV, publish what is due.",
)


@app.command("import-local")
def import_local_command(
    file: Annotated[Path, typer.Argument(help="The CSV file (UTF-8), see docs/access.md.")],
    username: Annotated[
        str, typer.Option("--as", help="The logistics account the import is recorded under.")
    ],
) -> None:
    """Import consignments and their events from a CSV into this server's database: every
    row, or none; rows recorded before are skipped."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise fail(f"cannot read {file}: {error}") from error
    with _django():
        from django.utils.translation import gettext as _

        from amanah.access.imports import ImportInvalid, consignment_import
        from amanah.accounts.models import User
        from amanah.accounts.roles import RoleRequired

        actor = User.objects.filter(username=username).first()
        if actor is None:
            raise fail(_("There is no account %(username)s.") % {"username": username})
        try:
            with progress_after(_("checking rows")) as progress:
                result = consignment_import(text, actor=actor, progress=progress)
        except RoleRequired as error:
            raise fail(str(error)) from error
        except ImportInvalid as error:
            stderr.print(escape(_("Nothing was imported. Fix these rows and try again:")))
            for row in error.errors:
                where = _("line %(line)d") % {"line": row.line}
                column = f" {row.column}" if row.column else ""
                stderr.print(escape(f"  {where}{column}: {row.message}"))
            raise typer.Exit(EXIT_FAILED) from error
        stdout.print(
            escape(
                _(
                    "Consignments recorded: %(consignments)d. Events recorded: %(events)d. "
                    "Rows recorded before, skipped: %(already)d."
                )
                % {
                    "consignments": result.consignments,
                    "events": result.events,
                    "already": result.already_recorded,
                }
            )
        )


@app.command("publish")
def publish_command() -> None:
    """Log the public part of every consignment and event older than the public delay."""
    with _django():
        from django.utils.translation import gettext as _

        from amanah.access.services import access_publish_due

        count = access_publish_due()
        stdout.print(escape(_("Events published: %(count)d.") % {"count": count}))
