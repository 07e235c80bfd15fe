"""Shelter as real processes for the key tests: manage.py commands, a WSGI server on a loopback
port, and a database of their own (a SQLite file, or a throwaway PostgreSQL database on the
server the suite runs against)."""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

SERVER = (
    "import os\n"
    "from wsgiref.simple_server import WSGIRequestHandler, make_server\n"
    "from shelter.wsgi import application\n"
    "class Quiet(WSGIRequestHandler):\n"
    "    def log_message(self, *args):\n"
    "        pass\n"
    "server = make_server('127.0.0.1', 0, application, handler_class=Quiet)\n"
    "print(server.server_port, flush=True)\n"
    "server.serve_forever()\n"
)


@contextlib.contextmanager
def process_database(tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL for the processes: the suite's own engine, a database of their own."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'db.sqlite3'}"
        return
    import psycopg

    settings = connection.settings_dict
    name = f"shelter_proc_{secrets.token_hex(4)}"
    admin = psycopg.connect(host=settings["HOST"], port=settings["PORT"] or 5432,
                            user=settings["USER"], password=settings["PASSWORD"] or None,
                            dbname="postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    try:
        yield (f"postgres://{settings['USER']}{password}@{settings['HOST']}:"
               f"{settings['PORT'] or 5432}/{name}")
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def environment(tmp_path: Path, database_url: str, key_file: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHELTER_", "DJANGO_"))}
    env.update(SHELTER_ENV="development", SHELTER_VAR_DIR=str(tmp_path),
               SHELTER_MEDIA_ROOT=str(tmp_path / "media"), DATABASE_URL=database_url,
               SHELTER_MASTER_KEY_FILE=str(key_file), DJANGO_SETTINGS_MODULE="shelter.settings")
    return env


def manage(env: dict[str, str], *args: str, timeout: int = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def shell(env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    return manage(env, "shell", "--no-imports", "-c", code)


def start_shell(env: dict[str, str], code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


@contextlib.contextmanager
def wsgi_server(env: dict[str, str]) -> Iterator[str]:
    """The app served by a WSGI server process; yields its base URL."""
    process = subprocess.Popen([sys.executable, "-c", SERVER], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = process.stdout.readline().strip()
        assert port.isdigit(), process.stderr.read()
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def fetch(url: str, data: bytes | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, data=data, timeout=60) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def query(database_url: str, sql: str) -> list[tuple]:
    """Rows straight from the processes' database (no Django, no keys)."""
    if database_url.startswith("sqlite:///"):
        import sqlite3

        db = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            return [tuple(row) for row in db.execute(sql).fetchall()]
        finally:
            db.close()
    import psycopg

    with psycopg.connect(database_url) as db:
        return [tuple(row) for row in db.execute(sql).fetchall()]


def snapshot(database_url: str) -> dict[str, list[tuple]]:
    """Everything a refused start must leave untouched."""
    return {
        "audit": query(database_url, "SELECT seq, hash FROM audit_auditevent ORDER BY seq"),
        "datakeys": query(database_url, "SELECT id, master_key_id, wrapped_key FROM "
                                        "crypto_datakey ORDER BY id"),
        "keychecks": query(database_url, "SELECT kind, key_id, check_value FROM "
                                         "crypto_keycheck ORDER BY kind, key_id"),
        "sessions": query(database_url, "SELECT session_key FROM django_session"),
    }
