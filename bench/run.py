"""`make bench`: the transparency core against the physical limit of this machine.

The baseline is measured in the same run: `hashlib.sha256` over the number of 65-byte
inputs a tree of n entries needs (n leaves + about n interior nodes). Each measured
operation is reported in seconds and as a ratio to that baseline, and the table is
written to docs/benchmarks.md together with a description of the machine.

    python bench/run.py [--entries 1000000] [--proofs 10000] [--output docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from amanah.transparency import (
    DirectoryStorage,
    FileLog,
    MemoryStorage,
    TileHashReader,
    TileWriter,
    leaf_hash,
    parse_verifier_key,
    verify_inclusion,
    verify_log,
)

ROOT = Path(__file__).resolve().parent.parent
ORIGIN = "bench.amanah.example/log"
# The heading of bench/fund.py's section of the report.
FUND_SECTION = "## The fund's services: the log against a plain audit row"


def within(limit: float, ratio: float, extra: str = "") -> str:
    """The target and whether this run met it, so the table never claims what it missed."""
    verdict = "met" if ratio <= limit else "missed"
    return f"≤ {limit:g}x: {verdict}{extra}"


def scratch_dir() -> Path:
    """Under var/, on the project's own disk: the system temp dir can be far slower at
    creating files, and tile integration creates two files per 256 entries."""
    path = ROOT / "var" / "bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def timed(action: Callable[[], object], repeat: int = 3) -> float:
    """Best of `repeat` runs: this machine is shared, and the minimum is the least noisy."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def raw_hashing(count: int) -> None:
    """The floor: SHA-256 of `count` 65-byte inputs, with Python's per-call overhead."""
    sha256 = hashlib.sha256
    block = b"\x01" + bytes(64)
    for _ in range(count):
        sha256(block).digest()


def make_entries(n: int) -> list[bytes]:
    # Entries about the size of Amanah's canonical JSON records (100-200 bytes).
    return [
        b'{"type":"amanah.bench.v1","n":%d,"pad":"%s"}' % (i, b"x" * (i % 97)) for i in range(n)
    ]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, {__import__('ssl').OPENSSL_VERSION}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=10_000)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    n = args.entries
    rows: list[tuple[str, float, float, str]] = []

    print(f"making {n:,} entries ...", flush=True)
    entries = make_entries(n)
    baseline = timed(lambda: raw_hashing(2 * n - 1))
    print(f"baseline: {2 * n - 1:,} SHA-256 calls in {baseline:.2f} s", flush=True)
    rows.append(("raw SHA-256, 2n-1 hashes of 65 bytes (baseline)", baseline, 1.0, "-"))

    leaves = timed(lambda: [leaf_hash(e) for e in entries])
    rows.append(("leaf hashes alone (n calls)", leaves, leaves / baseline, "-"))

    def integrate_in_memory() -> None:
        writer = TileWriter(MemoryStorage())
        writer.append(entries)
        writer.flush()

    in_memory = timed(integrate_in_memory)
    rows.append(
        (
            f"integrate {n:,} entries into tiles held in memory (hashing + encoding only)",
            in_memory,
            in_memory / baseline,
            "-",
        )
    )

    with tempfile.TemporaryDirectory(prefix="bench-", dir=scratch_dir()) as temp:
        runs = iter(range(100))

        def integrate(where: Path) -> Callable[[], None]:
            def run() -> None:
                log = FileLog.init(where / f"log{next(runs)}", origin=ORIGIN, durable=False)
                log.append(entries)
                log.checkpoint()
                # Keep only the first log (verified below); the rest would fill the disk.
                if log.directory.name != "log0":
                    shutil.rmtree(log.directory)

            return run

        build = timed(integrate(Path(temp)))
        rows.append(
            (
                f"integrate {n:,} entries into tiles + sign (directory on the project disk)",
                build,
                build / baseline,
                within(2, build / baseline),
            )
        )
        print(f"integrate: {build:.2f} s", flush=True)
        if Path("/dev/shm").is_dir():
            # The same on tmpfs separates the software's cost from the disk's: this
            # machine's virtual disk slows file creation by several times after heavy use.
            with tempfile.TemporaryDirectory(prefix="amanah-bench-", dir="/dev/shm") as shm:
                in_tmpfs = timed(integrate(Path(shm)))
            rows.append(
                (
                    f"integrate {n:,} entries into tiles + sign (directory on tmpfs)",
                    in_tmpfs,
                    in_tmpfs / baseline,
                    within(2, in_tmpfs / baseline),
                )
            )
            print(f"integrate on tmpfs: {in_tmpfs:.2f} s", flush=True)
        log_dir = Path(temp) / "log0"
        log = FileLog.open(log_dir, durable=False)

        key_file = Path(temp) / "vkey"
        key_file.write_text(log.verifier_key)
        command = [
            str(Path(sys.executable).with_name("amanah-verify")),
            "log",
            str(log_dir),
            "--key",
            str(key_file),
            "--state",
            str(Path(temp) / "state"),
            "--json",
        ]
        verify = timed(lambda: subprocess.run(command, check=True, capture_output=True))
        rows.append(
            (
                f"amanah-verify log: {n:,} entries, every tile (process incl. start-up)",
                verify,
                verify / baseline,
                within(2, verify / baseline, f"; < 10 s: {'met' if verify < 10 else 'missed'}"),
            )
        )
        print(f"verify: {verify:.2f} s", flush=True)
        log_key = parse_verifier_key(log.verifier_key)
        in_process = timed(lambda: verify_log(DirectoryStorage(log_dir, durable=False), log_key))
        rows.append(
            (
                "the same verification in-process (no interpreter start-up, no CLI)",
                in_process,
                in_process / baseline,
                within(2, in_process / baseline),
            )
        )

        reader = TileHashReader(DirectoryStorage(log_dir, durable=False), n, cache_tiles=64)
        root = reader.root()
        rng = random.Random(9162)
        indexes = [rng.randrange(n) for _ in range(args.proofs)]
        leaf_of = {i: leaf_hash(entries[i]) for i in indexes}

        def prove() -> None:
            for index in indexes:
                verify_inclusion(leaf_of[index], index, n, reader.inclusion_proof(index), root)

        proofs = timed(prove)
        per_proof_ms = proofs / args.proofs * 1000
        rows.append(
            (
                f"{args.proofs:,} inclusion proofs from tiles, built and verified",
                proofs,
                proofs / baseline,
                f"{per_proof_ms:.3f} ms each; < 1 ms: {'met' if per_proof_ms < 1 else 'missed'}",
            )
        )
        print(f"proofs: {per_proof_ms:.3f} ms each", flush=True)

    table = [
        "| operation | seconds | ratio to baseline | target / note |",
        "|---|---:|---:|---|",
        *(f"| {name} | {sec:.2f} | {ratio:.2f} | {note} |" for name, sec, ratio, note in rows),
    ]
    report = "\n".join(
        [
            "# Benchmarks",
            "",
            "Produced by `make bench` (`python bench/run.py`); do not edit by hand.",
            "",
            f"- run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"- machine: {machine()}",
            f"- entries: {n:,}; proofs: {args.proofs:,}; one process, one core;"
            " each figure is the best of 3 runs",
            "- tiles written without fsync (the page cache): durable storage adds one fsync per"
            " file per batch; the log has 2 files per 256 entries (7,813 for a million)",
            "",
            *table,
            "",
        ]
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    # bench/fund.py writes its own section after this one: keep it.
    previous = args.output.read_text() if args.output.exists() else ""
    _, marker, fund_section = previous.partition(FUND_SECTION)
    args.output.write_text(report + ("\n" + marker + fund_section if marker else ""))
    print()
    print("\n".join(table))
    print(f"\nwritten to {args.output}")


if __name__ == "__main__":
    main()
