"""A throwaway PostgreSQL cluster for tests marked ``postgres``.

Loaded for every run by ``addopts = "-p amanah.testing.postgres"`` in pyproject.toml. It
imports neither Django nor psycopg, so it works before the settings exist and in the
Django-free parts of the suite.

What it provides
----------------
``postgres_cluster`` (session fixture)
    Runs ``initdb`` into a fresh temporary directory and starts a server that listens on a
    Unix socket in that directory only (no TCP), tuned for speed instead of durability
    (``fsync``, ``synchronous_commit`` and ``full_page_writes`` off). Yields a
    :class:`PostgresCluster` with ``host`` (the socket directory), ``port``, ``user``,
    ``dbname`` and ``url``. The server is stopped with ``pg_ctl stop -m immediate`` and the
    directory removed at the end of the session, also when tests failed.
``postgres_url`` (session fixture)
    The cluster's URL, e.g. ``postgresql://postgres@%2Ftmp%2Famanah-pg-x1y2:5432/postgres``.
    Both libpq/psycopg (``psycopg.connect(url)``) and ``dj_database_url.parse(url)``
    understand this form: a percent-encoded absolute path as host means a socket directory.

Where the server binaries come from
-----------------------------------
``$AMANAH_PG_BINDIR`` if set (only there); otherwise ``initdb``, ``pg_ctl`` and
``postgres`` on ``$PATH`` and every ``/usr/lib/postgresql/*/bin`` (Debian's layout).
Version 15, the one production runs, is preferred; otherwise the highest one found.

When there is no server
-----------------------
Tests marked ``postgres`` (and any test using the fixtures) are skipped with the reason.
With ``AMANAH_REQUIRE_PG=1`` (as .ci/run sets) they fail instead, saying how to install
it (``apt-get install postgresql-15``), so that CI cannot go green by skipping the very
tests that prove row locking works.

Running as root
---------------
PostgreSQL refuses to run as root. When the tests run as root (this project's machines
and CI do), ``initdb`` and the server run as Debian's ``postgres`` system user, which the
``postgresql-15`` package creates; the temporary directory is handed to that user.

Pointing Django at the cluster (for later Django tests)
-------------------------------------------------------
The cluster starts only when a test needs it, which is after Django has read its settings,
so a Django test cannot simply name it in ``DATABASES``. A workable pattern:

1. In ``amanah/settings/test.py`` declare a second alias, e.g. ``"pg"``, with
   ``ENGINE="django.db.backends.postgresql"`` and placeholder connection details.
2. In a ``conftest.py`` next to the PostgreSQL tests, a session fixture that depends on
   ``postgres_cluster`` and ``django_db_blocker`` updates that alias' settings **in place**
   -- ``connections["pg"].settings_dict.update(postgres_cluster.django_database())`` --
   then, inside ``with django_db_blocker.unblock():``, calls
   ``connections["pg"].creation.create_test_db(verbosity=0, autoclobber=True)`` and, after
   the ``yield``, ``destroy_test_db(old_name, verbosity=0)`` with the NAME from before.
   In place matters: Django's connection handler keeps the dict it read at start-up.
   (This recipe was tried against a scratch settings module while writing this plugin.)
3. Tests marked ``postgres`` use that fixture and ``connections["pg"]`` inside
   ``django_db_blocker.unblock()``. Do not list ``"pg"`` in a ``django_db(databases=...)``
   mark: pytest-django would try to create that test database in its own session set-up,
   before the cluster exists, and fail every database test when PostgreSQL is missing.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn
from urllib.parse import quote

import pytest

__all__ = [
    "DEBIAN_GLOB",
    "PREFERRED_MAJOR",
    "Availability",
    "ClusterError",
    "PostgresCluster",
    "ServerBinaries",
    "check_availability",
    "find_server_binaries",
    "postgres_cluster",
    "postgres_url",
    "report_unavailable",
    "require_pg",
]

#: The major version production runs; preferred when several are installed.
PREFERRED_MAJOR = 15
#: Where Debian's postgresql-NN packages put their server binaries.
DEBIAN_GLOB = "/usr/lib/postgresql/*/bin"
#: The user the cluster runs as when the tests run as root (created by Debian's package).
SYSTEM_USER = "postgres"
#: The superuser initdb creates inside the cluster (independent of the OS user).
SUPERUSER = "postgres"
#: With no TCP the port only names the socket file (.s.PGSQL.5432), which lives in our own
#: directory, so the default port cannot collide with another server.
PORT = 5432

_TOOLS = ("initdb", "pg_ctl", "postgres")
_VERSION_RE = re.compile(r"\(PostgreSQL\)\s+(\d+)")
# sockaddr_un.sun_path holds 108 bytes including the NUL; "/.s.PGSQL.5432.lock" is 19.
_MAX_SOCKET_DIR_LEN = 107 - len("/.s.PGSQL.5432.lock")
_INSTALL_HINT = (
    "Install the server with `apt-get install postgresql-15` (Debian/Ubuntu), or point "
    "$AMANAH_PG_BINDIR at a directory holding initdb, pg_ctl and postgres."
)
# Server settings appended to postgresql.conf. Durability is worthless for a cluster that is
# deleted after the run, and fsync dominates the run time of DDL-heavy test set-up.
_SERVER_SETTINGS: dict[str, str] = {
    "listen_addresses": "",  # no TCP at all: nothing on the machine's network can reach it
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",  # less WAL for CREATE TABLE/COPY in migrations ...
    "max_wal_senders": "0",  # ... which wal_level=minimal requires
    "max_connections": "200",  # threads in locking tests plus Django's connections
    "jit": "off",  # compiling tiny test queries with LLVM only costs time
    "timezone": "UTC",
    "log_min_messages": "warning",
}


@dataclass(frozen=True)
class ServerBinaries:
    """A directory holding ``initdb``, ``pg_ctl`` and ``postgres`` of one major version."""

    bindir: Path
    major: int

    def tool(self, name: str) -> str:
        """The absolute path of one of the server programs."""
        return str(self.bindir / name)


@dataclass(frozen=True)
class PostgresCluster:
    """A running throwaway server, reachable only through its Unix socket directory."""

    host: str  # the socket directory, which libpq accepts in place of a host name
    port: int
    user: str
    dbname: str
    major: int
    binaries: ServerBinaries
    datadir: Path

    @property
    def url(self) -> str:
        """A libpq URI, also usable as a Django ``DATABASE_URL`` (dj-database-url)."""
        return self.url_for(self.dbname)

    def url_for(self, dbname: str) -> str:
        """The URL of another database on the same cluster."""
        # libpq's URI syntax takes a socket directory as a percent-encoded absolute path in
        # the host position; dj-database-url decodes it the same way.
        host = quote(self.host, safe="")
        return f"postgresql://{quote(self.user, safe='')}@{host}:{self.port}/{quote(dbname)}"

    def django_database(self) -> dict[str, str | int]:
        """The connection part of a Django ``DATABASES`` entry (merge it into an alias)."""
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": self.dbname,
            "USER": self.user,
            "PASSWORD": "",
            "HOST": self.host,
            "PORT": self.port,
        }


# --------------------------------------------------------------------------- discovery


def _server_major(bindir: Path) -> int | None:
    """The major version reported by ``bindir/postgres --version``, or None if unusable."""
    try:
        done = subprocess.run(
            [str(bindir / "postgres"), "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = _VERSION_RE.search(done.stdout)
    return int(match.group(1)) if done.returncode == 0 and match else None


def _has_tools(bindir: Path) -> bool:
    return all(os.access(bindir / tool, os.X_OK) for tool in _TOOLS)


def find_server_binaries(
    bindir: str | None = None,
    path: str | None = None,
    globs: Sequence[str] = (DEBIAN_GLOB,),
) -> ServerBinaries | None:
    """Find PostgreSQL server binaries, preferring version 15, else the highest version.

    ``bindir`` (from ``$AMANAH_PG_BINDIR``) restricts the search to that one directory.
    Otherwise the directories searched are those holding ``initdb`` on ``path`` (default
    ``$PATH``) and those matching ``globs``; a directory counts only if ``initdb``,
    ``pg_ctl`` and ``postgres`` are all there (pg_ctl runs the ``postgres`` beside it).
    Returns None when nothing usable is found.
    """
    candidates: list[Path] = []
    if bindir is not None:
        candidates.append(Path(bindir))
    else:
        on_path = shutil.which("initdb", path=path if path is not None else os.environ.get("PATH"))
        if on_path is not None:
            # On $PATH initdb is often a symlink (this machine has /usr/local/bin/initdb ->
            # /usr/lib/postgresql/15/bin/initdb): resolve it so that pg_ctl and postgres are
            # looked for beside the real binary, which is where pg_ctl itself looks.
            candidates.append(Path(on_path).resolve().parent)
        for pattern in globs:
            candidates.extend(Path(found) for found in sorted(glob.glob(pattern)))

    found: dict[Path, ServerBinaries] = {}
    for candidate in candidates:
        resolved = candidate.resolve()
        if resolved in found or not _has_tools(resolved):
            continue
        major = _server_major(resolved)
        if major is not None:
            found[resolved] = ServerBinaries(bindir=resolved, major=major)
    if not found:
        return None
    # Dicts keep insertion order and max() returns the first maximal item, so between two
    # directories of the same version the one on $PATH wins.
    return max(found.values(), key=lambda b: (b.major == PREFERRED_MAJOR, b.major))


# ----------------------------------------------------------------- skip-or-fail decision


def require_pg(environ: Mapping[str, str] | None = None) -> bool:
    """Whether a missing server must fail the tests (``AMANAH_REQUIRE_PG=1``)."""
    value = (os.environ if environ is None else environ).get("AMANAH_REQUIRE_PG", "")
    return value.strip().lower() in {"1", "true", "yes", "on"}


def report_unavailable(reason: str, *, required: bool) -> NoReturn:
    """Skip the current test, or fail it when PostgreSQL is required."""
    if required:
        pytest.fail(
            f"PostgreSQL is required (AMANAH_REQUIRE_PG=1) but unavailable: {reason}. "
            f"{_INSTALL_HINT}",
            pytrace=False,
        )
    pytest.skip(f"PostgreSQL unavailable: {reason}. {_INSTALL_HINT}")


def _system_user() -> pwd.struct_passwd | None:
    """The OS user to run the server as: None means "as ourselves" (not root)."""
    if os.geteuid() != 0:
        return None
    return pwd.getpwnam(SYSTEM_USER)


@dataclass(frozen=True)
class Availability:
    """The outcome of looking for a server: binaries to use, or why there are none."""

    binaries: ServerBinaries | None
    reason: str | None  # None exactly when binaries were found and can be run


def check_availability(environ: Mapping[str, str] | None = None) -> Availability:
    """Find the server binaries and check that we can run them as a non-root user."""
    env = os.environ if environ is None else environ
    bindir = env.get("AMANAH_PG_BINDIR") or None
    binaries = find_server_binaries(bindir=bindir, path=env.get("PATH"))
    if binaries is None:
        where = f"$AMANAH_PG_BINDIR={bindir}" if bindir is not None else f"$PATH or {DEBIAN_GLOB}"
        return Availability(None, f"no initdb, pg_ctl and postgres found in {where}")
    try:
        _system_user()
    except KeyError:
        return Availability(
            None,
            f"the tests run as root, which PostgreSQL refuses, and there is no "
            f"'{SYSTEM_USER}' system user to run it as",
        )
    return Availability(binaries, None)


# ------------------------------------------------------------------------ the cluster


class ClusterError(RuntimeError):
    """initdb or the server failed; the message carries their output."""


def _run(argv: list[str], *, owner: pwd.struct_passwd | None, cwd: Path, timeout: float) -> None:
    """Run a PostgreSQL program, as ``owner`` when given; raise ClusterError on failure."""
    # PG* variables from the developer's shell (PGDATA, PGPORT, PGOPTIONS ...) must not
    # leak into the throwaway cluster; LC_ALL=C keeps messages untranslated for the report.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    if owner is not None:
        env.update(HOME=owner.pw_dir, USER=owner.pw_name, LOGNAME=owner.pw_name)
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=env,
            # Our own cwd (e.g. /root) may be closed to the server user, which pg_ctl reports.
            cwd=cwd,
            # Switching uid in the child (no runuser/su) needs no PAM and no extra package;
            # extra_groups=[] drops root's supplementary groups as well.
            user=owner.pw_uid if owner is not None else None,
            group=owner.pw_gid if owner is not None else None,
            extra_groups=[] if owner is not None else None,
        )
    except subprocess.TimeoutExpired as exc:
        raise ClusterError(f"{argv[0]} timed out after {timeout} s") from exc
    if done.returncode != 0:
        raise ClusterError(
            f"{' '.join(argv)} exited with {done.returncode}:\n{done.stdout}{done.stderr}"
        )


def _conf_value(value: str) -> str:
    """Quote a value for postgresql.conf (single quotes, doubled inside)."""
    return "'" + value.replace("'", "''") + "'"


def _make_tempdir() -> Path:
    base = tempfile.gettempdir()
    # A long $TMPDIR would push the socket path past the kernel's limit; /tmp is short.
    if len(base) + len("/amanah-pg-xxxxxxxx") > _MAX_SOCKET_DIR_LEN:
        base = "/tmp"  # noqa: S108 - a private mkdtemp directory, not a fixed name
    return Path(tempfile.mkdtemp(prefix="amanah-pg-", dir=base))


def _log_tail(logfile: Path, lines: int = 30) -> str:
    try:
        return "\n".join(logfile.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def _force_stop(datadir: Path) -> None:
    """Last resort when pg_ctl stop failed: SIGQUIT is PostgreSQL's immediate shutdown."""
    try:
        pid = int((datadir / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return
    try:
        os.kill(pid, signal.SIGQUIT)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


@dataclass
class _Paths:
    root: Path  # the mkdtemp directory; also the socket directory
    datadir: Path
    logfile: Path


def start_cluster(
    binaries: ServerBinaries, owner: pwd.struct_passwd | None, paths: _Paths
) -> PostgresCluster:
    """initdb and start a server in ``paths``; the caller stops it with :func:`stop_cluster`."""
    if owner is not None:
        # mkdtemp makes the directory 0700 for root. The server (as owner) must create its
        # data directory, log and socket here, and root must reach the socket: owned by the
        # server user with 0755, both can. The data directory itself stays 0700 (initdb).
        os.chown(paths.root, owner.pw_uid, owner.pw_gid)
    paths.root.chmod(0o755)

    _run(
        [
            binaries.tool("initdb"),
            "--pgdata",
            str(paths.datadir),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",  # only the socket exists, in a directory only we know of
            "--encoding",
            "UTF8",
            "--locale",
            "C",  # always exists, unlike e.g. en_US.UTF-8; tests must not depend on collation
            "--no-sync",  # the cluster is thrown away: skip fsync of ~1000 files
            "--no-instructions",
        ],
        owner=owner,
        cwd=paths.root,
        timeout=120,
    )

    settings = {**_SERVER_SETTINGS, "port": str(PORT), "unix_socket_directories": str(paths.root)}
    conf = "".join(f"{key} = {_conf_value(value)}\n" for key, value in settings.items())
    # Appending keeps the file owned by the server user; later lines win in postgresql.conf.
    # Writing the settings here rather than passing them with pg_ctl -o avoids shell quoting
    # (pg_ctl hands -o to /bin/sh, and listen_addresses must be the empty string).
    with (paths.datadir / "postgresql.conf").open("a", encoding="utf-8") as conf_file:
        conf_file.write("\n# amanah.testing.postgres: throwaway test cluster\n" + conf)

    try:
        _run(
            [
                binaries.tool("pg_ctl"),
                "--pgdata",
                str(paths.datadir),
                # -l matters beyond logging: without it the server would inherit our stdout
                # pipe and subprocess.run would wait for it to close, i.e. forever.
                "--log",
                str(paths.logfile),
                "--wait",
                "--timeout",
                "60",
                "start",
            ],
            owner=owner,
            cwd=paths.root,
            timeout=90,
        )
    except ClusterError as exc:
        raise ClusterError(f"{exc}\nserver log:\n{_log_tail(paths.logfile)}") from exc

    return PostgresCluster(
        host=str(paths.root),
        port=PORT,
        user=SUPERUSER,
        dbname="postgres",
        major=binaries.major,
        binaries=binaries,
        datadir=paths.datadir,
    )


def stop_cluster(binaries: ServerBinaries, owner: pwd.struct_passwd | None, paths: _Paths) -> None:
    """Stop the server if it runs (immediately: its data is discarded) and remove the files."""
    try:
        if (paths.datadir / "postmaster.pid").exists():
            try:
                _run(
                    [
                        binaries.tool("pg_ctl"),
                        "--pgdata",
                        str(paths.datadir),
                        "--mode",
                        "immediate",
                        "--wait",
                        "stop",
                    ],
                    owner=owner,
                    cwd=paths.root,
                    timeout=60,
                )
            except ClusterError:
                _force_stop(paths.datadir)
    finally:
        shutil.rmtree(paths.root)


# --------------------------------------------------------------------- pytest wiring

_AVAILABILITY_KEY = pytest.StashKey[Availability]()


def _availability(config: pytest.Config) -> Availability:
    """Look for the server once per session, and only if some test needs it."""
    if _AVAILABILITY_KEY not in config.stash:
        config.stash[_AVAILABILITY_KEY] = check_availability()
    return config.stash[_AVAILABILITY_KEY]


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip (or, with AMANAH_REQUIRE_PG=1, fail) ``postgres`` tests when there is no server."""
    # Checked here and not only in the fixture so that a marked test which reaches the
    # cluster some other way (e.g. through Django settings) is covered as well.
    if item.get_closest_marker("postgres") is None:
        return
    reason = _availability(item.config).reason
    if reason is not None:
        report_unavailable(reason, required=require_pg())


@pytest.fixture(scope="session")
def postgres_cluster(request: pytest.FixtureRequest) -> Iterator[PostgresCluster]:
    """A running throwaway PostgreSQL server for the whole session (see module docstring)."""
    availability = _availability(request.config)
    binaries = availability.binaries
    if binaries is None:
        report_unavailable(availability.reason or "not found", required=require_pg())
    owner = _system_user()

    root = _make_tempdir()
    paths = _Paths(root=root, datadir=root / "data", logfile=root / "postgres.log")
    try:
        cluster = start_cluster(binaries, owner, paths)
        yield cluster
    finally:
        stop_cluster(binaries, owner, paths)


@pytest.fixture(scope="session")
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    """The throwaway cluster's URL (libpq URI; also a valid Django DATABASE_URL)."""
    return postgres_cluster.url
