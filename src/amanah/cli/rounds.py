"""`amanah allocation replay`: verify a log, then re-solve an allocation round from it.

    amanah allocation replay ROUND --log DIR_OR_URL --key VERIFIER_KEY [--json]

The log is verified first, exactly as `amanah audit` does; then the latest entry of kind
`round.optimised` whose `data.round` is ROUND is read from its verified entry bundle, its
logged inputs are solved again by `amanah.rounds.optimiser.optimise` (no database, no
Django), and the portfolio found is compared with the one logged: the selection, every
draw in cents and the total score must be identical. The entry's shape is in
docs/rounds.md.

Exit status: 0 verified and the replay agrees, 1 verification failed, no such round in the
log, a malformed entry, or a replay that disagrees, 2 usage or I/O error.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from amanah.rounds.optimiser import (
    Portfolio,
    RoundError,
    RoundInputs,
    optimise,
    solver_versions,
)
from amanah.transparency import verify_log

from ._common import EXIT_FAILED, progress_bar, stderr, stdout
from .audit import PinnedReader, _entries
from .verify import (
    JsonOption,
    KeyOption,
    OriginOption,
    StateOption,
    ThresholdOption,
    WitnessOption,
    _open_log,
    trust_policy,
    verification_exits,
)

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Allocation rounds: re-solve a round from the log and check the logged portfolio.",
)

KIND = "round.optimised"
TYPE = f"amanah.{KIND}.v1"


@contextmanager
def silenced_stdout() -> Iterator[None]:
    """Send file descriptor 1 to /dev/null: HiGHS writes progress lines there from C,
    which would corrupt `--json` output. Python's own stdout is flushed first."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _find(entries: Iterator[tuple[int, bytes]], round_id: str) -> tuple[int, Any] | None:
    """The latest `round.optimised` entry for `round_id`: (index, its data)."""
    found = None
    for index, raw in entries:
        try:
            value = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            continue
        if not isinstance(value, dict) or value.get("type") != TYPE:
            continue
        data = value.get("data")
        if isinstance(data, dict) and data.get("round") == round_id:
            found = (index, data)
    return found


def differences(logged: dict[str, Any], replayed: dict[str, Any]) -> list[str]:
    """How a logged result differs from the replayed one, one line per disagreement."""
    found = [
        f"{key}: logged, but not a part of a result" for key in sorted(set(logged) - set(replayed))
    ]
    chosen, again = logged.get("selected"), replayed["selected"]
    if chosen != again:
        if not isinstance(chosen, list):
            found.append("selected: not a list")
        else:
            only_log = sorted(set(map(str, chosen)) - set(again))
            only_replay = sorted(set(again) - set(map(str, chosen)))
            found.append(f"selected: only in the log {only_log}, only in the replay {only_replay}")
    if logged.get("total_score") != replayed["total_score"]:
        found.append(
            f"total_score: logged {logged.get('total_score')}, replayed {replayed['total_score']}"
        )
    draws = logged.get("draws")
    draws = draws if isinstance(draws, dict) else {}
    for pid in sorted(set(draws) | set(replayed["draws"]), key=str):
        if draws.get(pid) != replayed["draws"].get(pid):
            found.append(
                f"draws of {pid}: logged {draws.get(pid)}, replayed {replayed['draws'].get(pid)}"
            )
    return found


def _replayed(data: Any) -> tuple[RoundInputs, dict[str, Any] | str]:
    """The logged inputs and the result re-solved from them (or why it could not be)."""
    if not isinstance(data, dict) or not isinstance(data.get("result"), dict):
        raise RoundError("the entry has no result object")
    inputs = RoundInputs.from_json(data.get("inputs"))
    try:
        with silenced_stdout():
            portfolio: Portfolio = optimise(inputs)
    except RoundError as error:
        return inputs, str(error)
    return inputs, portfolio.to_json()


def _print(
    round_id: str,
    index: int,
    inputs: RoundInputs,
    logged: dict[str, Any],
    replayed: dict[str, Any] | str,
    found: list[str],
) -> None:
    table = Table(title=f"Round {round_id}, entry {index}", title_justify="left")
    table.add_column("proposal", overflow="fold")
    table.add_column("weighted score", justify="right")
    table.add_column("logged")
    table.add_column("replayed")
    scores = {p.id: inputs.weighted_score(p) for p in inputs.proposals}
    chosen = set(logged.get("selected") or [])
    again = set(replayed["selected"]) if isinstance(replayed, dict) else set()
    for pid in sorted(chosen | again, key=str):
        same = (pid in chosen) == (pid in again)
        table.add_row(
            escape(str(pid)),
            str(scores.get(pid, "?")),
            "selected" if pid in chosen else "-",
            ("selected" if pid in again else "-") + ("" if same else " [bold red]DISAGREE[/]"),
        )
    if isinstance(replayed, dict):
        table.add_row(
            "total", "", escape(str(logged.get("total_score"))), escape(replayed["total_score"])
        )
    stdout.print(table)
    if isinstance(replayed, str):
        stdout.print(f"[bold red]DISAGREE:[/] the logged inputs do not solve: {escape(replayed)}")
    elif found:
        stdout.print(f"[bold red]DISAGREE:[/] {len(found)} difference(s) from the logged result:")
        for line in found[:20]:
            stdout.print(f"  {escape(line)}")
    else:
        stdout.print(
            f"[green]agree[/] the log's portfolio for round {escape(round_id)} is the optimum"
        )


@app.command("replay")
def replay_command(
    round_id: Annotated[str, typer.Argument(metavar="ROUND", help="The round's id.")],
    log: Annotated[
        str, typer.Option("--log", metavar="DIR_OR_URL", help="Log prefix: directory or URL.")
    ],
    key: KeyOption,
    witness: WitnessOption = None,
    witness_threshold: ThresholdOption = 0,
    origin: OriginOption = None,
    state: StateOption = None,
    as_json: JsonOption = False,
) -> None:
    """Verify the log, then solve ROUND again from the inputs its `round.optimised` entry
    logged, and check that the logged portfolio is exactly the one found."""
    policy = trust_policy(key, witness, witness_threshold, state)
    opened = _open_log(log)
    reader = PinnedReader(opened)
    with verification_exits(opened, as_json):
        with progress_bar("verifying entries", enabled=not as_json) as progress:
            verified = verify_log(
                reader,
                policy.log_key,
                origin=origin,
                witnesses=policy.witnesses,
                witness_threshold=policy.witness_threshold,
                trust=policy.store,
                progress=progress,
            )
        with progress_bar("reading entries", enabled=not as_json) as progress:
            entry = _find(_entries(reader, verified.checkpoint.size, progress), round_id)
    if entry is None:
        stderr.print(f"[bold red]not found:[/] no {KIND} entry for round {escape(round_id)}")
        raise typer.Exit(EXIT_FAILED)
    index, data = entry
    try:
        inputs, replayed = _replayed(data)
    except RoundError as error:
        stderr.print(f"[bold red]malformed entry {index}:[/] {escape(str(error))}")
        raise typer.Exit(EXIT_FAILED) from None
    logged = data["result"]
    found = differences(logged, replayed) if isinstance(replayed, dict) else [replayed]
    if as_json:
        report = {
            "round": round_id,
            "entry": index,
            "agree": not found,
            "logged": logged,
            "replayed": replayed,
            "differences": found,
            "solver": {"logged": data.get("solver"), "replay": solver_versions()},
        }
        print(json.dumps(report, indent=2))
    else:
        _print(round_id, index, inputs, logged, replayed, found)
    if found:
        raise typer.Exit(EXIT_FAILED)
