"""`amanah-verify`: check a log or a single receipt without trusting whoever serves it.

Exit status: 0 verified, 1 verification failed (the log or receipt is wrong), 2 usage or
I/O error (nothing could be concluded). Needs only amanah.transparency, never Django.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import platformdirs
import typer
from rich.markup import escape

from amanah.transparency import (
    CosignatureVerifier,
    DirectoryStorage,
    Ed25519Verifier,
    HttpReader,
    LogForked,
    LogReader,
    LogReport,
    MalformedInput,
    Receipt,
    TransparencyError,
    TrustStore,
    VerificationFailed,
    verify_log,
    verify_receipt,
)

from ._common import (
    EXIT_FAILED,
    EXIT_USAGE,
    fail,
    load_log_key,
    load_witness_keys,
    progress_bar,
    stderr,
    stdout,
)

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Verify an Amanah transparency log, or one entry's receipt, offline or over HTTP.",
)

KeyOption = Annotated[
    str, typer.Option("--key", help="The log's verifier key (name+id+base64) or a file holding it.")
]
WitnessOption = Annotated[
    list[str] | None,
    typer.Option("--witness", help="A witness cosignature key, or a file holding it; repeatable."),
]
ThresholdOption = Annotated[
    int,
    typer.Option("--witness-threshold", min=0, help="How many witness cosignatures to require."),
]
OriginOption = Annotated[
    str | None, typer.Option(help="Expected origin line (default: the key's name).")
]
StateOption = Annotated[
    Path | None, typer.Option(help="Where to remember the last trusted checkpoint per origin.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]


def _open_log(location: str) -> LogReader:
    if location.startswith(("http://", "https://")):
        return HttpReader(location)
    path = Path(location)
    if not (path / "checkpoint").is_file():
        raise fail(f"{location} is neither an http(s) URL nor a directory with a checkpoint")
    return DirectoryStorage(path, durable=False)


@dataclass(frozen=True)
class TrustPolicy:
    """Whom to trust: the log's key, the witnesses and how many, and what was seen before."""

    log_key: Ed25519Verifier
    witnesses: list[CosignatureVerifier]
    witness_threshold: int
    store: TrustStore


def trust_policy(
    key: str, witness: list[str] | None, witness_threshold: int, state: Path | None
) -> TrustPolicy:
    """Load the keys and the trust store from the command's options; usage errors exit 2."""
    log_key = load_log_key(key)
    witnesses = load_witness_keys(witness or [])
    if witness_threshold > len(witnesses):
        raise fail(f"--witness-threshold {witness_threshold} exceeds the {len(witnesses)} keys")
    store = TrustStore(state or platformdirs.user_cache_path("amanah-verify") / "trusted")
    return TrustPolicy(log_key, witnesses, witness_threshold, store)


@contextmanager
def verification_exits(reader: LogReader, as_json: bool) -> Iterator[None]:
    """Map what can go wrong to the promised exit codes, and close the reader.

    A forked, unverifiable or malformed log exits 1; a log that could not be read at all
    (I/O, missing files) exits 2, since nothing was concluded about it.
    """
    try:
        yield
    except LogForked as error:
        _print_forked(error, as_json)
        raise typer.Exit(EXIT_FAILED) from error
    except VerificationFailed as error:
        _print_failure(str(error), as_json)
        raise typer.Exit(EXIT_FAILED) from error
    except MalformedInput as error:
        # A log that serves unparseable data has failed verification, not the user.
        _print_failure(f"malformed log data: {error}", as_json)
        raise typer.Exit(EXIT_FAILED) from error
    except TransparencyError as error:
        raise fail(str(error)) from error
    finally:
        close = getattr(reader, "close", None)
        if close is not None:
            close()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _report_json(report: LogReport) -> dict[str, Any]:
    checkpoint = report.checkpoint
    return {
        "verified": True,
        "origin": checkpoint.origin,
        "size": checkpoint.size,
        "root_hash": _b64(checkpoint.root_hash),
        "witnesses": list(report.signed.witnesses),
        "previous_size": None if report.previous is None else report.previous.size,
        "entries": [
            {"index": e.index, "leaf_hash": _b64(e.leaf_hash), "entry": _b64(e.entry)}
            for e in report.entries
        ],
    }


def _print_forked(error: LogForked, as_json: bool) -> None:
    trusted = (error.trusted or b"").decode(errors="replace")
    seen = (error.seen or b"").decode(errors="replace")
    if as_json:
        print(
            json.dumps({"verified": False, "error": str(error), "trusted": trusted, "seen": seen})
        )
        return
    stderr.print("[bold red]THE LOG HAS FORKED OR SHRUNK.[/] Keep both checkpoints as evidence.")
    stderr.print(f"{error}\n\n--- checkpoint trusted earlier ---\n{trusted}", markup=False)
    stderr.print(f"--- checkpoint served now ---\n{seen}", markup=False)


@app.command("log")
def log_command(
    log: Annotated[str, typer.Argument(help="Log prefix: a directory or an http(s) URL.")],
    key: KeyOption,
    witness: WitnessOption = None,
    witness_threshold: ThresholdOption = 0,
    origin: OriginOption = None,
    state: StateOption = None,
    entry: Annotated[
        list[int] | None, typer.Option("--entry", min=0, help="Prove inclusion of this entry.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Check the checkpoint's signatures, every tile, consistency with what was trusted
    before, and inclusion of the entries asked for."""
    policy = trust_policy(key, witness, witness_threshold, state)
    reader = _open_log(log)
    with (
        verification_exits(reader, as_json),
        progress_bar("verifying entries", enabled=not as_json) as progress,
    ):
        report = verify_log(
            reader,
            policy.log_key,
            origin=origin,
            witnesses=policy.witnesses,
            witness_threshold=policy.witness_threshold,
            trust=policy.store,
            entries=entry or [],
            progress=progress,
        )
    _print_success(report, as_json)


def _print_failure(message: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"verified": False, "error": message}))
    else:
        stderr.print(f"[bold red]VERIFICATION FAILED:[/] {escape(message)}")


def _print_success(report: LogReport, as_json: bool) -> None:
    if as_json:
        print(json.dumps(_report_json(report), indent=2))
        return
    checkpoint = report.checkpoint
    stdout.print(
        f"[green]OK[/] {escape(checkpoint.origin)}: {checkpoint.size:,} entries, every tile checked"
    )
    stdout.print(f"   root {_b64(checkpoint.root_hash)}", markup=False)
    if report.signed.witnesses:
        stdout.print(f"   cosigned by {', '.join(report.signed.witnesses)}", markup=False)
    if report.previous is None:
        stdout.print("   first time this origin was seen here; now trusted")
    else:
        stdout.print(
            f"   consistent with the size {report.previous.size:,} checkpoint trusted before"
        )
    for proved in report.entries:
        stdout.print(f"   entry {proved.index} is included (leaf {_b64(proved.leaf_hash)})")


@app.command("receipt")
def receipt_command(
    file: Annotated[Path, typer.Argument(help="A c2sp.org/tlog-proof receipt file.")],
    key: KeyOption,
    entry_file: Annotated[
        Path | None, typer.Option(help="The record's exact bytes, if not carried in the receipt.")
    ] = None,
    witness: WitnessOption = None,
    witness_threshold: ThresholdOption = 0,
    origin: Annotated[str | None, typer.Option(help="Expected origin line.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Check, with no network, that one entry is in the log under a signed checkpoint."""
    log_key = load_log_key(key)
    witnesses = load_witness_keys(witness or [])
    try:
        receipt = Receipt.from_bytes(file.read_bytes())
        entry = entry_file.read_bytes() if entry_file else None
    except OSError as error:
        raise fail(f"cannot read {error.filename}: {error.strerror}") from error
    except MalformedInput as error:
        _print_failure(f"{file}: {error}", as_json)
        raise typer.Exit(EXIT_FAILED) from error
    try:
        signed = verify_receipt(
            receipt,
            log_key,
            entry=entry,
            origin=origin,
            witnesses=witnesses,
            witness_threshold=witness_threshold,
        )
    except (VerificationFailed, MalformedInput) as error:
        _print_failure(str(error), as_json)
        raise typer.Exit(EXIT_FAILED) from error
    checkpoint = signed.checkpoint
    if as_json:
        print(
            json.dumps(
                {
                    "verified": True,
                    "origin": checkpoint.origin,
                    "index": receipt.index,
                    "size": checkpoint.size,
                    "witnesses": list(signed.witnesses),
                }
            )
        )
    else:
        stdout.print(
            f"[green]OK[/] entry {receipt.index} is in {escape(checkpoint.origin)} "
            f"(checkpoint of {checkpoint.size:,} entries)"
        )


def main() -> None:
    """Console-script entry point; usage errors exit 2 like every Click program."""
    try:
        app()
    except KeyboardInterrupt:
        stderr.print("interrupted")
        raise SystemExit(EXIT_USAGE) from None
