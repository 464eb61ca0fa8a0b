"""A throwaway PostgreSQL server for the desk's tests: initdb into a temporary directory, started on a
free loopback port, stopped and removed after the session. A pytest plugin (tests/conftest.py loads it).

    postgres_server   the session's server (initdb + pg_ctl; as root the commands run as `postgres`)
    postgres_url      a fresh, empty database on it for each test: postgresql+psycopg://USER@127.0.0.1:PORT/t_<n>

Without PostgreSQL the tests are skipped, and in CI they fail: `apt-get install postgresql`.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import require

USER = "ymateb"
MISSING = "PostgreSQL's initdb and pg_ctl were not found (PATH, /usr/lib/postgresql/*/bin): apt-get install postgresql"


def server_bin() -> Path | None:
    """The directory holding initdb and pg_ctl: on PATH, else Debian's newest /usr/lib/postgresql/N/bin."""
    initdb = shutil.which("initdb")
    if initdb and (Path(initdb).resolve().parent / "pg_ctl").exists():
        return Path(initdb).resolve().parent
    found = [Path(d) for d in glob.glob("/usr/lib/postgresql/*/bin") if (Path(d) / "initdb").exists()]
    found.sort(key=lambda d: int(d.parent.name) if d.parent.name.isdigit() else 0)
    return found[-1] if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    bindir: Path
    root: Path  # the temporary directory: data/, the socket and the log
    port: int = 0
    running: bool = False
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def as_user(self) -> list[str]:
        """initdb refuses to run as root: then the server's commands run as Debian's `postgres` user."""
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.root / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}{tail}")

    def start(self) -> PostgresServer:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        data = str(self.root / "data")
        self._run(str(self.bindir / "initdb"), "-D", data, "-A", "trust", "-U", USER, "-E", "UTF8", "--no-locale", "-N")
        self.port = _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(str(self.bindir / "pg_ctl"), "-D", data, "-l", str(self.root / "log"), "-o", options, "-w", "start")
        self.running = True
        return self

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> list[tuple[object, ...]]:
        """Run one statement from a connection of its own (autocommit); its rows, if any."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=USER, dbname=database, autocommit=True) as conn:
            cursor = conn.execute(sql)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

    def create_database(self) -> str:
        """A new, empty database; its name."""
        name = f"t_{next(self._names)}"
        self.execute(f"CREATE DATABASE {name}")
        return name


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bindir = server_bin()
    require(bindir is not None, MISSING)
    assert bindir is not None
    server = PostgresServer(bindir, Path(tempfile.mkdtemp(prefix="ymateb-pg-")))
    try:
        yield server.start()
    finally:
        if server.running:
            server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh database for this test alone: tests never see each other's rows."""
    return postgres_server.url(postgres_server.create_database())
