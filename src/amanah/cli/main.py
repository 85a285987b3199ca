"""`amanah`: the operator's command. Log, verification and audit commands are mounted from
the Django-free tools so operators and outsiders run the very same code (`amanah audit`
replays the log with no database); `amanah log export` and `amanah log integrate` work
on the server's database and set Django up lazily."""

from __future__ import annotations

import typer

from . import (
    access_local,
    audit,
    board,
    fund,
    fund_local,
    ledger,
    log,
    materials_local,
    rounds,
    verify,
)

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Amanah's command line.",
)
app.add_typer(verify.app, name="verify")
app.registered_commands.extend(audit.app.registered_commands)  # `amanah audit LOG`
# `amanah keygen`, `amanah sign`, `amanah refuse`, `amanah keys propose`,
# `amanah motions list`: a board member's.
app.registered_commands.extend(board.app.registered_commands)
app.add_typer(board.keys_app, name="keys")
app.add_typer(board.motions_app, name="motions")
# `amanah fund ...`: the fund's records over the API (the secretariat, partners), and
# `amanah fund import-local`, on the server's own database.
fund.app.registered_commands.extend(fund_local.app.registered_commands)
app.add_typer(fund.app, name="fund")
# `amanah allocation replay ROUND`: re-solve an allocation round from the log, Django-free.
app.add_typer(rounds.app, name="allocation")
# `amanah access import-local` and `amanah access publish`, on the server's own database.
app.add_typer(access_local.app, name="access")
# `amanah materials check-flags`: flags whose allowance on site ran out, for a timer.
app.add_typer(materials_local.app, name="materials")

# `amanah log`: amanah-log's commands on a log directory, then those on the server's log.
log_app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Grow a log in a directory (init, append, checkpoint, receipt), or export and "
    "integrate the server's log (export, integrate).",
)
log_app.registered_commands.extend([*log.app.registered_commands, *ledger.app.registered_commands])
app.add_typer(log_app, name="log")
