"""A throw-away PostgreSQL server for benchmarks that need one, when none is configured.

Starts a cluster in a temporary directory on 127.0.0.1 (trust authentication, a free port,
fsync off: benchmark data only), yields its URL, and stops and removes it afterwards. As root
the server runs as the `postgres` user (PostgreSQL refuses root), like `.ci/run` does.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator


class NoPostgres(RuntimeError):
    """PostgreSQL's server programs are not installed here."""


def _bin_dir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    if initdb is None:
        raise NoPostgres("PostgreSQL is not installed (Debian: apt-get install postgresql).")
    return os.path.dirname(initdb)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def temporary_server() -> Iterator[str]:
    bin_dir = _bin_dir()
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    work = tempfile.mkdtemp(prefix="shelter-bench-pg-")
    if as_root:
        shutil.chown(work, "postgres")
    data, port = os.path.join(work, "data"), _free_port()

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, stdout=subprocess.DEVNULL)

    try:
        run(f"{bin_dir}/initdb", "-D", data, "-A", "trust", "-U", "postgres")
        run(f"{bin_dir}/pg_ctl", "-D", data, "-l", os.path.join(work, "log"), "-w", "-o",
            f"-c listen_addresses=127.0.0.1 -p {port} -k {work} -c fsync=off", "start")
        try:
            yield f"postgres://postgres@127.0.0.1:{port}/postgres"
        finally:
            run(f"{bin_dir}/pg_ctl", "-D", data, "-m", "fast", "stop")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def fresh_database(url: str, name: str, connect_timeout: int = 10) -> str:
    """Drop and create database `name` on the server of `url`; its URL. Benchmark databases
    only: `name` is the benchmark's own constant, never input."""
    import psycopg

    base, _slash, _db = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True,
                         connect_timeout=connect_timeout) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"
