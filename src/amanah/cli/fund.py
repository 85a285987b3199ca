"""The secretariat's (and partners') fund commands, over the server's API (/api/v1/fund).

    amanah fund rate CURRENCY DATE UNITS_PER_USD --source TEXT
    amanah fund pledge DONOR AMOUNT CURRENCY DATE [--sector S] [--governorate G]
    amanah fund commit DONOR AMOUNT CURRENCY DATE [--pledge ID] [--agreement-reference R]
    amanah fund contribute DONOR AMOUNT CURRENCY DATE [--commitment ID] [--bank-reference R]
    amanah fund convert SOLD_AMOUNT SOLD_CURRENCY BOUGHT_AMOUNT BOUGHT_CURRENCY DATE
    amanah fund allocate PROJECT AMOUNT CURRENCY
    amanah fund disburse ALLOCATION AMOUNT [--bank-account A]
    amanah fund spend ALLOCATION AMOUNT DATE [--description D] [--reported-by NAME]
    amanah fund refund ALLOCATION AMOUNT DATE
    amanah fund reverse KIND ID --reason TEXT
    amanah fund import FILE.csv                   contributions from a bank statement
    amanah fund figures [--json] [--log-size N]

Each writing command takes `--server URL --token-file FILE` (the token is read from a file,
never from the command line) and prints the created record's id (and, for `allocate` and
`disburse`, the board's motion to sign) and a one-line summary. Amounts are sent as the
decimal strings given, never turned into numbers here. Standard library HTTP, no Django.

Exit status: 0 done, 1 refused by the server (its field errors are printed), 2 usage or
I/O error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ._common import (
    EXIT_FAILED,
    Refused,
    api_url,
    fail,
    http_json,
    progress_bar,
    read_token,
    stderr,
    stdout,
)

__all__ = ["app"]

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Record the fund's money over the API: rates, pledges, ... refunds; show figures.",
)

STAGES = ("pledged", "committed", "paid", "allocated", "disbursed", "refunded", "spent")

ServerOption = Annotated[
    str, typer.Option("--server", help="The server's address, e.g. https://amanah.example.org")
]
TokenFileOption = Annotated[
    Path, typer.Option("--token-file", help="A file holding your API token (never argv).")
]
SectorOption = Annotated[str, typer.Option("--sector", help="Earmark: a sector code.")]
GovernorateOption = Annotated[
    str, typer.Option("--governorate", help="Earmark: a governorate P-code.")
]


def _call(method: str, url: str, *, token: str | None = None, body: Any = None) -> Any:
    """The server's JSON answer; exit 1 with its field errors when it refuses, 2 when it
    cannot be reached."""
    try:
        return http_json(method, url, token=token, body=body)[1]
    except Refused as error:
        stderr.print(f"[bold red]refused by the server:[/] {escape(str(error))}")
        raise typer.Exit(EXIT_FAILED) from error
    except OSError as error:
        raise fail(f"cannot reach {url}: {error}") from error


def _post(server: str, token_file: Path, path: str, body: dict[str, Any]) -> Any:
    url = f"{api_url(server)}/fund/{path}"
    return _call("POST", url, token=read_token(token_file), body=body)


def _usd(row: dict[str, Any]) -> str:
    """ "(= 1000.00 USD at 3.64 QAR/USD of 2026-01-05)", or "" for USD or no equivalent."""
    if row.get("usd") is None or row.get("currency") == "USD":
        return ""
    rate = row.get("rate") or {}
    return (
        f" (= {row['usd']} USD at {rate.get('units_per_usd')} {rate.get('currency')}/USD"
        f" of {rate.get('on')})"
    )


def _earmark(sector: str, governorate: str) -> dict[str, str]:
    return {"sector": sector, "governorate": governorate}


def _earmark_text(row: dict[str, Any]) -> str:
    earmark = row.get("earmark") or {}
    parts = [earmark.get("sector"), earmark.get("governorate")]
    named = [p for p in parts if p]
    return f", earmarked {'/'.join(named)}" if named else ""


def _done(kind: str, row: dict[str, Any], summary: str) -> None:
    stdout.print(f"{kind} {row['id']}")
    stdout.print(escape(summary))


@app.command("rate")
def rate_command(
    currency: Annotated[str, typer.Argument(help="ISO 4217 code, like PKR.")],
    on: Annotated[str, typer.Argument(metavar="DATE", help="YYYY-MM-DD.")],
    units_per_usd: Annotated[str, typer.Argument(help="Units one US dollar bought: 278.50.")],
    source: Annotated[str, typer.Option("--source", help="Where the rate comes from.")],
    server: ServerOption,
    token_file: TokenFileOption,
) -> None:
    """Record an exchange rate: how many units of CURRENCY one US dollar bought on DATE."""
    body = {"currency": currency, "on": on, "units_per_usd": units_per_usd, "source": source}
    row = _post(server, token_file, "rates", body)
    stdout.print(f"rate logged at entry {row['log_index']}")
    stdout.print(
        escape(f"1 USD = {row['units_per_usd']} {row['currency']} on {row['on']} ({row['source']})")
    )


@app.command("pledge")
def pledge_command(
    donor: Annotated[str, typer.Argument(help="The donor's IATI identifier.")],
    amount: Annotated[str, typer.Argument(help="A decimal amount, like 1250.50.")],
    currency: Annotated[str, typer.Argument(help="ISO 4217 code.")],
    on: Annotated[str, typer.Argument(metavar="DATE", help="YYYY-MM-DD.")],
    server: ServerOption,
    token_file: TokenFileOption,
    sector: SectorOption = "",
    governorate: GovernorateOption = "",
    description: Annotated[str, typer.Option("--description")] = "",
) -> None:
    """Record a donor's pledge (announced, not binding)."""
    body = {
        "donor": donor,
        "amount": amount,
        "currency": currency,
        "on": on,
        "description": description,
        **_earmark(sector, governorate),
    }
    row = _post(server, token_file, "pledges", body)
    _done(
        "pledge",
        row,
        f"{row['donor']} pledged {row['amount']} {row['currency']} on {row['on']}"
        f"{_earmark_text(row)}{_usd(row)}",
    )


@app.command("commit")
def commit_command(
    donor: Annotated[str, typer.Argument(help="The donor's IATI identifier.")],
    amount: Annotated[str, typer.Argument(help="A decimal amount, like 1250.50.")],
    currency: Annotated[str, typer.Argument(help="ISO 4217 code.")],
    on: Annotated[str, typer.Argument(metavar="DATE", help="YYYY-MM-DD.")],
    server: ServerOption,
    token_file: TokenFileOption,
    pledge: Annotated[str | None, typer.Option("--pledge", help="The pledge it fulfils.")] = None,
    sector: SectorOption = "",
    governorate: GovernorateOption = "",
    agreement_reference: Annotated[
        str, typer.Option("--agreement-reference", help="Public reference of the agreement.")
    ] = "",
) -> None:
    """Record a commitment: a signed agreement, the donor owes the fund the amount."""
    body = {
        "donor": donor,
        "amount": amount,
        "currency": currency,
        "on": on,
        "pledge": pledge,
        "agreement_reference": agreement_reference,
        **_earmark(sector, governorate),
    }
    row = _post(server, token_file, "commitments", body)
    _done(
        "commitment",
        row,
        f"{row['donor']} committed {row['amount']} {row['currency']} on {row['on']}"
        f"{_earmark_text(row)}{_usd(row)}",
    )


@app.command("contribute")
def contribute_command(
    donor: Annotated[str, typer.Argument(help="The donor's IATI identifier.")],
    amount: Annotated[str, typer.Argument(help="A decimal amount, like 1250.50.")],
    currency: Annotated[str, typer.Argument(help="ISO 4217 code.")],
    on: Annotated[str, typer.Argument(metavar="DATE", help="YYYY-MM-DD.")],
    server: ServerOption,
    token_file: TokenFileOption,
    commitment: Annotated[
        str | None, typer.Option("--commitment", help="The commitment it pays.")
    ] = None,
    sector: SectorOption = "",
    governorate: GovernorateOption = "",
    bank_reference: Annotated[
        str, typer.Option("--bank-reference", help="Private: kept by the fund, not published.")
    ] = "",
) -> None:
    """Record a contribution: money received in the fund's bank account."""
    body = {
        "donor": donor,
        "amount": amount,
        "currency": currency,
        "on": on,
        "commitment": commitment,
        "bank_reference": bank_reference,
        **_earmark(sector, governorate),
    }
    row = _post(server, token_file, "contributions", body)
    _done(
        "contribution",
        row,
        f"{row['donor']} paid {row['amount']} {row['currency']} on {row['on']}"
        f"{_earmark_text(row)}{_usd(row)}",
    )


@app.command("convert")
def convert_command(
    sold_amount: Annotated[str, typer.Argument(help="The amount sold.")],
    sold_currency: Annotated[str, typer.Argument(help="Its currency.")],
    bought_amount: Annotated[str, typer.Argument(help="The amount bought.")],
    bought_currency: Annotated[str, typer.Argument(help="Its currency.")],
    on: Annotated[str, typer.Argument(metavar="DATE", help="YYYY-MM-DD.")],
    server: ServerOption,
    token_file: TokenFileOption,
    sector: SectorOption = "",
    governorate: GovernorateOption = "",
) -> None:
    """Record a currency conversion by the fund's bank (the earmark's money follows)."""
    body = {
        "sold_amount": sold_amount,
        "sold_currency": sold_currency,
        "bought_amount": bought_amount,
        "bought_currency": bought_currency,
        "on": on,
        **_earmark(sector, governorate),
    }
    row = _post(server, token_file, "conversions", body)
    _done(
        "conversion",
        row,
        f"sold {row['sold_amount']} {row['sold_currency']} for {row['bought_amount']}"
        f" {row['bought_currency']} on {row['on']}{_earmark_text(row)}",
    )


@app.command("allocate")
def allocate_command(
    project: Annotated[str, typer.Argument(help="The project's code, like GZ-HOU-0001.")],
    amount: Annotated[str, typer.Argument(help="A decimal amount, like 1250.50.")],
    currency: Annotated[str, typer.Argument(help="ISO 4217 code.")],
    server: ServerOption,
    token_file: TokenFileOption,
) -> None:
    """Reserve money for a project and put the allocation to the board as a motion."""
    body = {"project": project, "amount": amount, "currency": currency}
    row = _post(server, token_file, "allocations", body)
    stdout.print(f"allocation {row['id']}")
    stdout.print(f"motion {row['motion']}")
    stdout.print(
        escape(
            f"{row['amount']} {row['currency']} reserved for {row['project']} from"
            f" {len(row['draws'])} pool(s); awaiting the board's signatures"
        )
    )


@app.command("disburse")
def disburse_command(
    allocation: Annotated[str, typer.Argument(help="An approved allocation's id.")],
    amount: Annotated[str, typer.Argument(help="A decimal amount, like 1250.50.")],
    server: ServerOption,
    token_file: TokenFileOption,
    bank_account: Annotated[
        str, typer.Option("--bank-account", help="The partner's account. Private.")
    ] = "",
) -> None:
    """Reserve a tranche of an approved allocation and put its payment to the board."""
    body = {"allocation": allocation, "amount": amount, "bank_account": bank_account}
    row = _post(server, token_file, "disbursements", body)
    stdout.print(f"disbursement {row['id']}")
    stdout.print(f"motion {row['motion']}")
    stdout.print(
        escape(
            f"tranche {row['tranche']}, {row['amount']} {row['currency']}, of allocation"
            f" {row['allocation']}; awaiting the board's signatures"
        )
    )


@app.command("spend")
def spend_command(
    allocation: Annotated[str, typer.Argument(help="An approved allocation's id.")],
    amount: Annotated[str, typer.Argument(help="A decimal amount, like 1250.50.")],
    on: Annotated[str, typer.Argument(metavar="DATE", help="YYYY-MM-DD.")],
    server: ServerOption,
    token_file: TokenFileOption,
    description: Annotated[str, typer.Option("--description", help="Public.")] = "",
    reported_by: Annotated[
        str, typer.Option("--reported-by", help="Who reports it. Private.")
    ] = "",
) -> None:
    """Report expenditure under an allocation (partner staff of the lead, or the
    secretariat)."""
    body = {
        "allocation": allocation,
        "amount": amount,
        "on": on,
        "description": description,
        "reported_by": reported_by,
    }
    row = _post(server, token_file, "expenditures", body)
    _done(
        "expenditure",
        row,
        f"{row['amount']} {row['currency']} spent on {row['on']} under allocation"
        f" {row['allocation']}{_usd(row)}",
    )


@app.command("refund")
def refund_command(
    allocation: Annotated[str, typer.Argument(help="An approved allocation's id.")],
    amount: Annotated[str, typer.Argument(help="A decimal amount, like 1250.50.")],
    on: Annotated[str, typer.Argument(metavar="DATE", help="YYYY-MM-DD.")],
    server: ServerOption,
    token_file: TokenFileOption,
) -> None:
    """Record money a partner returned; it is available again under its earmarks."""
    body = {"allocation": allocation, "amount": amount, "on": on}
    row = _post(server, token_file, "refunds", body)
    _done(
        "refund",
        row,
        f"{row['amount']} {row['currency']} returned on {row['on']} from allocation"
        f" {row['allocation']}{_usd(row)}",
    )


@app.command("reverse")
def reverse_command(
    kind: Annotated[
        str,
        typer.Argument(help="pledge, commitment, contribution, conversion, expenditure or refund."),
    ],
    fact: Annotated[str, typer.Argument(metavar="ID", help="The fact's id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (public).")],
    server: ServerOption,
    token_file: TokenFileOption,
) -> None:
    """Take back a recorded fact, saying why; the fact stays, marked reversed."""
    row = _post(server, token_file, "reversals", {"kind": kind, "fact": fact, "reason": reason})
    _done("reversal", row, f"{row['kind']} {row['fact']} reversed: {row['reason']}")


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="The CSV file (UTF-8), see docs/fund.md.")],
    server: ServerOption,
    token_file: TokenFileOption,
) -> None:
    """Import contributions from a CSV bank statement: every row, or none. Rows already
    recorded (same donor and bank reference) are skipped, so sending a file twice is safe.
    On the server itself, `amanah fund import-local` shows the rows as they are checked."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise fail(f"cannot read {file}: {error}") from error
    url = f"{api_url(server)}/fund/contributions/import"
    token = read_token(token_file)
    with progress_bar("uploading (bytes)", enabled=True) as progress:
        try:
            answer = http_json(
                "POST", url, token=token, body={"csv": text}, upload_progress=progress
            )[1]
        except Refused as error:
            stderr.print(f"[bold red]nothing was imported:[/] {escape(str(error))}")
            raise typer.Exit(EXIT_FAILED) from error
        except OSError as error:
            raise fail(f"cannot reach {url}: {error}") from error
    stdout.print(
        f"recorded {answer['recorded']} contribution(s);"
        f" {answer['already_recorded']} row(s) were already recorded"
    )


@app.command("figures")
def figures_command(
    server: ServerOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print the server's JSON.")] = False,
    log_size: Annotated[
        int | None, typer.Option("--log-size", help="As of this many log entries.")
    ] = None,
    token_file: Annotated[
        Path | None, typer.Option("--token-file", help="Not needed: the figures are public.")
    ] = None,
) -> None:
    """The fund's public totals by stage, in US dollars."""
    url = f"{api_url(server)}/fund/figures"
    if log_size is not None:
        url += f"?log_size={log_size}"
    token = None if token_file is None else read_token(token_file)
    figures = _call("GET", url, token=token)
    if as_json:
        typer.echo(json.dumps(figures, indent=2, sort_keys=True))
        return
    table = Table(title=f"The fund's figures as of log size {figures['log_size']}")
    table.add_column("stage")
    table.add_column(str(figures["currency"]), justify="right")
    for stage in STAGES:
        table.add_row(stage, str(figures["totals"].get(stage, "")))
    stdout.print(table)
