"""`amanah`: the operator's command. Log and verification commands are mounted from the
Django-free tools so operators and outsiders run the very same code."""

from __future__ import annotations

import typer

from . import log, verify

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Amanah's command line.",
)
app.add_typer(verify.app, name="verify")
app.add_typer(log.app, name="log")
