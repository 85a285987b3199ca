"""`amanah materials check-flags`: on the server's own database.

A flag is checked after every movement that can change a project's gap, but material
whose allowance on site (`AMANAH_MATERIALS_ON_SITE_DAYS`) runs out while nothing moves
becomes unaccounted with no movement to notice it. Run this from a timer, daily. Sets
Django up, like `amanah log export`.
"""

from __future__ import annotations

import typer
from rich.markup import escape

from ._common import stdout
from .ledger import _django

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Construction materials on this server's database: raise the flags that are due.",
)


@app.command("check-flags")
def check_flags_command() -> None:
    """Reconcile every project's material released to a contractor; raise the flags due."""
    with _django():
        from django.utils.translation import gettext as _

        from amanah.materials.services import flags_check

        count = flags_check()
        stdout.print(escape(_("Flags raised: %(count)d.") % {"count": count}))
