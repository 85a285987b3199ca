"""`amanah fund import-local`: import a CSV of contributions straight into the server's
database, with a bar that follows the rows as they are checked.

For the secretariat on the server itself (a large statement, a slow link to the web UI);
from anywhere else, `amanah fund import` sends the file to the API. Both run the same
service: every row or none, each wrong row named. Sets Django up, like `amanah log export`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ._common import EXIT_FAILED, fail, progress_after, stderr, stdout
from .ledger import _django

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command("import-local")
def import_local_command(
    file: Annotated[Path, typer.Argument(help="The CSV file (UTF-8), see docs/fund.md.")],
    username: Annotated[
        str, typer.Option("--as", help="The secretariat account the import is recorded under.")
    ],
) -> None:
    """Import contributions from a CSV bank statement into this server's database: every
    row, or none; rows already recorded (same donor and bank reference) are skipped."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise fail(f"cannot read {file}: {error}") from error
    with _django():
        from django.utils.translation import gettext as _

        from amanah.accounts.models import User
        from amanah.accounts.roles import RoleRequired
        from amanah.funds.imports import ImportInvalid, contribution_import

        actor = User.objects.filter(username=username).first()
        if actor is None:
            raise fail(_("There is no account %(username)s.") % {"username": username})
        try:
            with progress_after(_("checking rows")) as progress:
                result = contribution_import(text, actor=actor, progress=progress)
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
                    "Contributions recorded: %(recorded)d. "
                    "Rows recorded before, skipped: %(already)d."
                )
                % {"recorded": result.recorded, "already": result.already_recorded}
            )
        )
