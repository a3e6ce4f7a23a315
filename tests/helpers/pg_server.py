"""A private PostgreSQL server for a test that stops and starts it (a real restart).

The machine's shared server must never be restarted, so this one is made with
`initdb` in a temporary folder and run with `pg_ctl` on a free port. PostgreSQL
refuses to run as root: as root, the server runs as the `postgres` user. Tests
skip, saying why, when the binaries or that user are missing.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest


def _bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PrivateServer:
    folder: Path
    port: int
    bindir: Path
    user: str | None  # run the binaries as this user (we are root), else as ourselves

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)

    def init(self) -> None:
        done = self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync"
        )
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stderr.strip() or done.stdout.strip()}")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c shared_buffers=16MB -c max_connections=30 -c fsync=off"
        )
        done = self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "log"),
            "-w",
            "start",
        )
        if done.returncode:
            log = (self.folder / "log").read_text(errors="replace")[-500:]
            raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()} {log}")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")


def private_server() -> PrivateServer:
    """Make and start one; skips the test (with the reason) when it cannot."""
    bindir = _bindir()
    if bindir is None or not (bindir / "initdb").exists():
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) for a private server")
    user = None
    if os.geteuid() == 0:  # initdb and postgres refuse root
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run a private server")
        if not shutil.which("runuser"):
            pytest.skip("running as root without runuser to start a private server as postgres")
        user = "postgres"
    folder = Path(tempfile.mkdtemp(prefix="tagline-pg-"))
    if user:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    server = PrivateServer(folder, _free_port(), bindir, user)
    try:
        server.init()
        server.start()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"could not run a private PostgreSQL server: {exc}")
    return server


def remove(server: PrivateServer) -> None:
    server.stop("immediate")
    shutil.rmtree(server.folder, ignore_errors=True)
