"""The throwaway PostgreSQL cluster plugin (amanah.testing.postgres).

The tests marked ``postgres`` start a real server and prove what later tests rely on: the
socket-only connection, the version, and that row locks block a second transaction. The
others check binary discovery and the skip-or-fail decision without starting anything.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import errors, sql

from amanah.testing import postgres as pgplugin
from amanah.testing.postgres import PostgresCluster

# --------------------------------------------------------------------- a real cluster


@pytest.fixture
def conn(postgres_cluster: PostgresCluster) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(postgres_cluster.url, autocommit=True) as connection:
        yield connection


def _show(connection: psycopg.Connection[tuple[object, ...]], setting: str) -> object:
    row = connection.execute(f"SHOW {setting}").fetchone()
    assert row is not None
    return row[0]


@pytest.mark.postgres
def test_server_version_is_the_one_found(
    conn: psycopg.Connection[tuple[object, ...]], postgres_cluster: PostgresCluster
) -> None:
    version = str(_show(conn, "server_version"))
    assert version.split(".")[0] == str(postgres_cluster.major)
    if postgres_cluster.major == pgplugin.PREFERRED_MAJOR:
        assert version.startswith("15")


@pytest.mark.postgres
def test_only_the_unix_socket_is_open(
    conn: psycopg.Connection[tuple[object, ...]], postgres_cluster: PostgresCluster
) -> None:
    assert _show(conn, "listen_addresses") == ""
    assert _show(conn, "unix_socket_directories") == postgres_cluster.host
    # The server runs as another user when we are root: root and it must both reach it.
    mode = Path(postgres_cluster.host).stat().st_mode
    assert mode & stat.S_IXOTH
    socket = Path(postgres_cluster.host) / f".s.PGSQL.{postgres_cluster.port}"
    assert stat.S_ISSOCK(socket.stat().st_mode)
    # initdb insists on a private data directory; our chmod of the parent must not leak in.
    assert stat.S_IMODE(postgres_cluster.datadir.stat().st_mode) & 0o077 == 0


@pytest.mark.postgres
def test_speed_settings(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    assert _show(conn, "fsync") == "off"
    assert _show(conn, "synchronous_commit") == "off"
    assert _show(conn, "full_page_writes") == "off"
    assert int(str(_show(conn, "max_connections"))) >= 100
    assert _show(conn, "server_encoding") == "UTF8"


@pytest.mark.postgres
def test_url_works_for_psycopg_and_django(
    postgres_cluster: PostgresCluster, postgres_url: str
) -> None:
    assert postgres_url == postgres_cluster.url
    with psycopg.connect(postgres_url) as connection:
        row = connection.execute("SELECT current_user, current_database()").fetchone()
        assert row == (postgres_cluster.user, postgres_cluster.dbname)

    import dj_database_url  # imports no Django itself; only parses the URL

    parsed = dj_database_url.parse(postgres_url)
    expected = postgres_cluster.django_database()
    for key in ("ENGINE", "NAME", "USER", "HOST", "PORT"):
        assert parsed[key] == expected[key], key


@pytest.mark.postgres
def test_row_lock_blocks_a_second_transaction(postgres_cluster: PostgresCluster) -> None:
    # A fresh table per run: the cluster is shared by the whole session.
    table = sql.Identifier(f"lock_probe_{uuid.uuid4().hex}")
    url = postgres_cluster.url

    def query(text: str) -> sql.Composed:
        return sql.SQL(text).format(table=table)

    lock_row = "SELECT balance FROM {table} WHERE id = %s FOR UPDATE"
    with psycopg.connect(url, autocommit=True) as setup:
        setup.execute(query("CREATE TABLE {table} (id int PRIMARY KEY, balance int NOT NULL)"))
        setup.execute(query("INSERT INTO {table} VALUES (1, 100), (2, 200)"))
    try:
        with psycopg.connect(url) as holder, psycopg.connect(url) as waiter:
            # The holder's transaction stays open (no autocommit) with row 1 locked.
            holder.execute(query(lock_row), (1,))
            # Committed, the SET lasts for the session; a rollback would undo it.
            waiter.execute("SET lock_timeout = '200ms'")
            waiter.commit()
            with pytest.raises(errors.LockNotAvailable):
                waiter.execute(query(lock_row), (1,))
            waiter.rollback()
            # A different row is not locked: the lock is per row, not per table.
            assert waiter.execute(query(lock_row), (2,)).fetchone() == (200,)
            waiter.rollback()
            # Once the holder commits, the row can be locked and shows the holder's change.
            holder.execute(query("UPDATE {table} SET balance = balance - 30 WHERE id = 1"))
            holder.commit()
            assert waiter.execute(query(lock_row), (1,)).fetchone() == (70,)
            waiter.commit()
    finally:
        with psycopg.connect(url, autocommit=True) as cleanup:
            cleanup.execute(query("DROP TABLE {table}"))


# ------------------------------------------------------- discovery, without a server


def _fake_bindir(directory: Path, major: int, tools: tuple[str, ...] = pgplugin._TOOLS) -> Path:
    """A directory of shell scripts that answer ``--version`` like PostgreSQL ``major``."""
    directory.mkdir(parents=True)
    for tool in tools:
        script = directory / tool
        script.write_text(f'#!/bin/sh\necho "{tool} (PostgreSQL) {major}.3"\n')
        script.chmod(0o755)
    return directory


def test_discovery_prefers_15_over_higher_versions(tmp_path: Path) -> None:
    for major in (14, 15, 16):
        _fake_bindir(tmp_path / "lib" / str(major) / "bin", major)
    found = pgplugin.find_server_binaries(path="", globs=(str(tmp_path / "lib" / "*" / "bin"),))
    assert found == pgplugin.ServerBinaries(bindir=tmp_path / "lib" / "15" / "bin", major=15)


def test_discovery_takes_the_highest_without_15(tmp_path: Path) -> None:
    for major in (13, 16, 14):
        _fake_bindir(tmp_path / "lib" / str(major) / "bin", major)
    found = pgplugin.find_server_binaries(path="", globs=(str(tmp_path / "lib" / "*" / "bin"),))
    assert found is not None
    assert found.major == 16


def test_discovery_follows_path_symlinks_to_the_real_bindir(tmp_path: Path) -> None:
    real = _fake_bindir(tmp_path / "real" / "bin", 15)
    linked = tmp_path / "usr-local-bin"
    linked.mkdir()
    (linked / "initdb").symlink_to(real / "initdb")  # pg_ctl and postgres are not linked
    found = pgplugin.find_server_binaries(path=str(linked), globs=())
    assert found is not None
    assert found.bindir == real


def test_discovery_needs_all_three_programs(tmp_path: Path) -> None:
    _fake_bindir(tmp_path / "partial", 15, tools=("initdb", "postgres"))
    assert pgplugin.find_server_binaries(path=str(tmp_path / "partial"), globs=()) is None
    assert pgplugin.find_server_binaries(path="", globs=()) is None


def test_discovery_ignores_a_postgres_that_does_not_say_its_version(tmp_path: Path) -> None:
    broken = _fake_bindir(tmp_path / "broken", 15)
    (broken / "postgres").write_text("#!/bin/sh\nexit 1\n")
    assert pgplugin.find_server_binaries(bindir=str(broken)) is None


def test_explicit_bindir_is_the_only_place_searched(tmp_path: Path) -> None:
    _fake_bindir(tmp_path / "elsewhere", 15)
    chosen = _fake_bindir(tmp_path / "chosen", 14)
    found = pgplugin.find_server_binaries(
        bindir=str(chosen), path=str(tmp_path / "elsewhere"), globs=(str(tmp_path / "*"),)
    )
    assert found == pgplugin.ServerBinaries(bindir=chosen, major=14)


# ------------------------------------------------- skip or fail, without a server


@pytest.mark.parametrize(
    ("value", "required"),
    [("1", True), ("true", True), ("yes", True), ("0", False), ("", False), (None, False)],
)
def test_require_pg_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str | None, required: bool
) -> None:
    if value is None:
        monkeypatch.delenv("AMANAH_REQUIRE_PG", raising=False)
    else:
        monkeypatch.setenv("AMANAH_REQUIRE_PG", value)
    assert pgplugin.require_pg() is required


def test_missing_binaries_are_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pgplugin, "find_server_binaries", lambda **_: None)
    availability = pgplugin.check_availability({"PATH": str(tmp_path)})
    assert availability.binaries is None
    assert availability.reason is not None
    assert "no initdb, pg_ctl and postgres found" in availability.reason


def test_root_without_a_postgres_user_is_reported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = pgplugin.ServerBinaries(bindir=tmp_path, major=15)
    monkeypatch.setattr(pgplugin, "find_server_binaries", lambda **_: fake)
    monkeypatch.setattr(os, "geteuid", lambda: 0)

    def no_such_user(name: str) -> object:
        raise KeyError(name)

    monkeypatch.setattr("pwd.getpwnam", no_such_user)
    availability = pgplugin.check_availability({})
    assert availability.binaries is None
    assert availability.reason is not None
    assert "root" in availability.reason


def test_unavailable_server_skips_by_default() -> None:
    with pytest.raises(pytest.skip.Exception, match="postgresql-15"):
        pgplugin.report_unavailable("no initdb", required=False)


def test_unavailable_server_fails_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMANAH_REQUIRE_PG", "1")
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install postgresql-15"):
        pgplugin.report_unavailable("no initdb", required=pgplugin.require_pg())


@pytest.mark.parametrize(("require", "outcome"), [("0", "skipped"), ("1", "failed")])
def test_marked_tests_skip_or_fail_in_a_real_run(
    tmp_path: Path, require: str, outcome: str
) -> None:
    """The hook end to end: a pytest run that cannot find a server, with and without
    AMANAH_REQUIRE_PG=1. Runs in a subprocess so that this session's cluster is untouched."""
    (tmp_path / "pytest.ini").write_text(
        textwrap.dedent(
            """\
            [pytest]
            markers = postgres: needs PostgreSQL
            filterwarnings = error
            """
        )
    )
    (tmp_path / "test_probe.py").write_text(
        textwrap.dedent(
            """\
            import pytest

            @pytest.mark.postgres
            def test_marked():
                pass

            def test_uses_fixture(postgres_url):
                pass

            def test_unrelated():
                pass
            """
        )
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.update(AMANAH_PG_BINDIR=str(tmp_path / "nowhere"), AMANAH_REQUIRE_PG=require)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "amanah.testing.postgres",
            "-p",
            "no:django",
            "-p",
            "no:cacheprovider",
            "-rA",
            "-q",
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    if outcome == "skipped":
        assert done.returncode == 0, output
        assert "1 passed, 2 skipped" in output, output
        assert "PostgreSQL unavailable" in output
    else:
        assert done.returncode == 1, output
        # Both failures happen in set-up (hook and fixture), which pytest reports as errors;
        # either way the run's exit status is non-zero.
        assert "1 passed, 2 errors" in output, output
        assert "AMANAH_REQUIRE_PG=1" in output
        assert "apt-get install postgresql-15" in output
