"""Backup and restore of an installation: the database, the document store's ciphertext and a
manifest of counts and hashes (`manage.py backup DEST`, `manage.py restore SRC`).

A backup holds what the database and the store hold: ciphertext, the data keys wrapped under
the master keys, the access log. It never holds a master key (the key file is escrowed apart,
SECURITY.md), and it holds no sessions (bearer tokens: a restored site accepts no old sign-in).

The database copy is consistent: SQLite through its online backup API, PostgreSQL through
`pg_dump` inside an exported snapshot, the manifest's counts, key ids, audit head and the list
of documents read from that same snapshot. Restore checks every byte against the manifest
before it writes anything, restores only into an empty database and an empty store, and then
checks itself (counts, audit head, document hashes, `verify_encryption`, `verify_audit_log`).

Crypto imports no app: the tables it counts and the audit head it reads are named through the
app registry, and its log entries go through `shelter.crypto.events`.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import io
import json
import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from shelter.crypto import events
from shelter.crypto.documents import EncryptedFileModel, document_storage
from shelter.crypto.exceptions import CryptoError, KeyFileError
from shelter.crypto.providers import get_provider

FORMAT = "shelter-backup/1"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
DOCUMENTS = "documents"
SESSION_TABLE = "django_session"
CHUNK = 1024 * 1024

ESCROW_MESSAGE = ("The key file lacks master key(s) {ids} that this backup's data keys are "
                  "wrapped with: restore the key file from escrow first (SECURITY.md, "
                  "\"Backup and restore\"). Nothing was written.")


class BackupError(CommandError):
    """A backup or restore refused or failed; the message names ids and counts only."""


# ---------------------------------------------------------------------------------------------
# small helpers


def _manifest_mac(manifest: dict[str, Any]) -> str:
    """HMAC-SHA256 of the manifest (without its "mac") under a key derived from the key file's
    checkpoint key: whoever changes a file and its manifest entry together is still caught,
    unless they hold the key file."""
    key = hmac.digest(get_provider().audit_checkpoint_key(), b"shelter/backup-manifest/v1",
                      "sha256")
    body = {k: v for k, v in manifest.items() if k != "mac"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, canonical, "sha256").hexdigest()


def _hash_file(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _hash_stored(storage: Storage, name: str) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def walk_storage(storage: Storage, prefix: str = "") -> Iterator[str]:
    """Every object name in the store (FileSystemStorage and S3 alike, through listdir)."""
    try:
        dirs, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{prefix}{name}"
    for name in sorted(dirs):
        yield from walk_storage(storage, f"{prefix}{name}/")


def _safe_name(name: str) -> str:
    """A storage name as a relative path below documents/ (no absolute path, no '..')."""
    parts = name.split("/")
    if not name or name.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise BackupError(f"Refused an unexpected object name in the document store ({len(name)} "
                          "characters); nothing was written.")
    return name


def _tables() -> list[str]:
    """The tables a backup counts: every model's table, sessions excepted."""
    names = {m._meta.db_table for m in apps.get_models(include_auto_created=True)
             if m._meta.managed and not m._meta.proxy}
    names.discard(SESSION_TABLE)
    return sorted(names)


def _document_models() -> list[type[EncryptedFileModel]]:
    return [m for m in apps.get_models() if issubclass(m, EncryptedFileModel)]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _database() -> dict[str, Any]:
    return connection.settings_dict


def _pg_env() -> dict[str, str]:
    """The environment for pg_dump / pg_restore: the password in PGPASSWORD, never argv."""
    db = _database()
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _pg_args() -> list[str]:
    db = _database()
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args


def _run(argv: list[str], what: str) -> None:
    try:
        result = subprocess.run(argv, env=_pg_env(), capture_output=True, text=True,  # noqa: S603
                                timeout=3600, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise BackupError(f"{what} could not run ({type(exc).__name__}); is the PostgreSQL "
                          "client installed?") from exc
    if result.returncode != 0:
        # pg_dump's messages name tables and options, not row content
        tail = (result.stderr or "").strip().splitlines()[-3:]
        raise BackupError(f"{what} failed (exit {result.returncode}): {' | '.join(tail)}")


# ---------------------------------------------------------------------------------------------
# what the manifest says about the database, read from the snapshot

Query = Callable[[str], list[tuple]]
SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table'"
PG_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"


def _count(query: Query, table: str) -> int:
    if table not in _tables():  # only the models' own tables, never a name from elsewhere
        raise BackupError(f"Refused: the manifest names an unknown table ({len(table)} chars).")
    return int(query(f"SELECT COUNT(*) FROM {_quote(table)}")[0][0])  # noqa: S608


def _describe(query: Query, tables_sql: str) -> dict[str, Any]:
    present = {row[0] for row in query(tables_sql)} & set(_tables())
    counts = {t: _count(query, t) for t in sorted(present)}
    migrations: dict[str, str] = {}
    for app, name in query("SELECT app, name FROM django_migrations ORDER BY id"):
        migrations[app] = name
    key_ids = sorted({row[0] for row in query(
        "SELECT DISTINCT master_key_id FROM crypto_datakey WHERE shredded_at IS NULL")})
    head = query("SELECT seq, hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1")
    documents: list[str] = []
    for model in _document_models():
        table = _quote(model._meta.db_table)  # a model's table, from the app registry
        documents += [row[0] for row in query(f"SELECT storage_name FROM {table}")]  # noqa: S608
    return {
        "migrations": migrations, "row_counts": counts, "master_key_ids": key_ids,
        "audit_head": {"seq": int(head[0][0]), "hash": head[0][1]} if head else None,
        "documents": sorted(documents),
    }


def _sqlite_query(db: sqlite3.Connection) -> Query:
    return lambda sql: [tuple(r) for r in db.execute(sql).fetchall()]


def _django_query(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [tuple(r) for r in cursor.fetchall()] if cursor.description else []


# ---------------------------------------------------------------------------------------------
# backup


@dataclass
class BackupResult:
    dest: Path
    manifest: dict[str, Any]
    missing: list[str] = field(default_factory=list)


def check_destination(dest: Path) -> Path:
    """DEST must be new or empty, and not inside the document store or beside the live
    database or the key file; returns it resolved (created 0700)."""
    dest = dest.expanduser().resolve()
    forbidden = [Path(settings.MEDIA_ROOT)]
    location = getattr(document_storage(), "location", None)
    if location:
        forbidden.append(Path(location))
    if connection.vendor == "sqlite":
        forbidden.append(Path(str(_database()["NAME"])).parent)
    key_file = getattr(settings, "SHELTER_MASTER_KEY_FILE", "")
    if key_file:
        forbidden.append(Path(key_file).parent)
    for root in forbidden:
        if _inside(dest, root.expanduser().resolve()):
            raise BackupError("Refused: the backup directory is inside the document store, the "
                              "database's directory or the key file's directory. Choose a "
                              "directory elsewhere (ideally another disk).")
    if dest.exists():
        if not dest.is_dir() or any(dest.iterdir()):
            raise BackupError("Refused: the backup directory must be new or empty.")
        dest.chmod(0o700)
    else:
        dest.mkdir(mode=0o700, parents=True)
    return dest


def _new_file(path: Path) -> None:
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _backup_sqlite(dest: Path) -> dict[str, Any]:
    target = dest / SQLITE_FILE
    _new_file(target)
    source = sqlite3.connect(str(_database()["NAME"]), timeout=30)
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        copy.execute("DELETE FROM django_session")
        copy.commit()
        copy.execute("VACUUM")
        described = _describe(_sqlite_query(copy), SQLITE_TABLES)
    finally:
        copy.close()
        source.close()
    return described


def _backup_postgresql(dest: Path) -> dict[str, Any]:
    target = dest / PG_FILE
    _new_file(target)
    connection.ensure_connection()
    with transaction.atomic():
        _django_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = _django_query("SELECT pg_export_snapshot()")[0][0]
        # --compress=0: the ciphertext does not compress anyway, and an uncompressed dump can
        # be scanned for plaintext (the restore drill does)
        _run(["pg_dump", "--format=custom", "--compress=0", "--no-owner", "--no-privileges",
              f"--exclude-table-data={SESSION_TABLE}", f"--snapshot={snapshot}",
              "--file", str(target), *_pg_args()], "pg_dump")
        described = _describe(_django_query, PG_TABLES)
    return described


def _copy_documents(dest: Path, storage: Storage, referenced: list[str]) -> tuple[list[str], int]:
    copied, missing = 0, set(referenced)
    root = dest / DOCUMENTS
    root.mkdir(mode=0o700)
    for name in walk_storage(storage):
        target = root / _safe_name(name)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            with storage.open(name, "rb") as src:
                _new_file(target)
                with target.open("wb") as out:
                    while chunk := src.read(CHUNK):
                        out.write(chunk)
        except FileNotFoundError:  # deleted while we walked
            target.unlink(missing_ok=True)
            continue
        missing.discard(name)
        copied += 1
    return sorted(missing), copied


def make_backup(dest: Path) -> BackupResult:
    """Write a backup into `dest` (see the module docstring); records BACKUP (counts only)."""
    dest = check_destination(dest)
    old_umask = os.umask(0o077)
    try:
        if connection.vendor == "sqlite":
            described, engine = _backup_sqlite(dest), "sqlite"
        elif connection.vendor == "postgresql":
            described, engine = _backup_postgresql(dest), "postgresql"
        else:
            raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
        referenced = described.pop("documents")
        missing, _copied = _copy_documents(dest, document_storage(), referenced)
        files = []
        for path in sorted(p for p in dest.rglob("*") if p.is_file()):
            path.chmod(0o600)
            size, digest = _hash_file(path)
            files.append({"name": path.relative_to(dest).as_posix(), "size": size,
                          "sha256": digest})
        manifest = {
            "format": FORMAT,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "engine": engine,
            "database_file": SQLITE_FILE if engine == "sqlite" else PG_FILE,
            **described,
            "documents": len(referenced),
            "missing_documents": missing,
            "files": files,
        }
        manifest["mac"] = _manifest_mac(manifest)
        path = dest / MANIFEST
        _new_file(path)
        path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    finally:
        os.umask(old_umask)
    events.record(None, "BACKUP", None, outcome="rejected" if missing else "allowed",
                  files=len(files), documents=len(referenced), missing=len(missing),
                  bytes=sum(f["size"] for f in files))
    return BackupResult(dest=dest, manifest=manifest, missing=missing)


# ---------------------------------------------------------------------------------------------
# restore


def read_manifest(src: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((src / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"Refused: {MANIFEST} is missing or not readable "
                          f"({type(exc).__name__}); nothing was written.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"Refused: not a {FORMAT} backup; nothing was written.")
    if not _well_formed(manifest):
        raise BackupError(f"Refused: {MANIFEST} is malformed; nothing was written.")
    return manifest


def _well_formed(manifest: dict[str, Any]) -> bool:
    """The shape restore relies on, before it trusts a single name (no path leaves SRC)."""
    files, counts = manifest.get("files"), manifest.get("row_counts")
    keys, head = manifest.get("master_key_ids"), manifest.get("audit_head")
    if not (isinstance(files, list) and isinstance(counts, dict) and isinstance(keys, list)
            and isinstance(manifest.get("mac"), str) and isinstance(manifest.get("engine"), str)
            and isinstance(manifest.get("missing_documents", []), list)):
        return False
    if manifest.get("database_file") not in (SQLITE_FILE, PG_FILE):
        return False
    if head is not None and not (isinstance(head, dict) and isinstance(head.get("seq"), int)
                                 and isinstance(head.get("hash"), str)):
        return False
    if not all(isinstance(k, str) for k in keys):
        return False
    known = set(_tables())
    if not all(isinstance(t, str) and t in known and isinstance(n, int)
               for t, n in counts.items()):
        return False
    for entry in files:
        if not (isinstance(entry, dict) and isinstance(entry.get("name"), str)
                and isinstance(entry.get("size"), int) and isinstance(entry.get("sha256"), str)):
            return False
        name = entry["name"]
        if name != manifest["database_file"]:
            if not name.startswith(f"{DOCUMENTS}/"):
                return False
            try:
                _safe_name(name.removeprefix(f"{DOCUMENTS}/"))
            except BackupError:
                return False
    return True


def check_mac(manifest: dict[str, Any]) -> None:
    if not hmac.compare_digest(manifest["mac"], _manifest_mac(manifest)):
        raise BackupError("Refused: the manifest's seal does not verify: the backup was changed, "
                          "or it is another installation's (another key file). Nothing was "
                          "written.")


def check_files(src: Path, manifest: dict[str, Any]) -> None:
    """Every file of the backup is the manifest's, byte for byte; no file more, none fewer."""
    expected = {f["name"]: f for f in manifest.get("files", [])}
    present = {p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file()}
    present.discard(MANIFEST)
    problems = [f"missing: {n}" for n in sorted(set(expected) - present)]
    problems += [f"not in the manifest: {n}" for n in sorted(present - set(expected))]
    for name in sorted(set(expected) & present):
        size, digest = _hash_file(src / name)
        if size != expected[name]["size"] or digest != expected[name]["sha256"]:
            problems.append(f"changed: {name}")
    if manifest.get("missing_documents"):
        problems.append(f"{len(manifest['missing_documents'])} document(s) were missing when "
                        "the backup was made")
    if manifest.get("database_file") not in expected:
        problems.append("no database file")
    if problems:
        raise BackupError("Refused: the backup does not match its manifest ("
                          + "; ".join(problems[:10]) + "); nothing was written.")


def check_keys(manifest: dict[str, Any]) -> None:
    needed = set(manifest.get("master_key_ids") or [])
    try:
        available = get_provider().key_ids()
    except KeyFileError as exc:  # its message names the path and the problem, no key
        raise BackupError(f"{exc} " + ESCROW_MESSAGE.format(ids=", ".join(sorted(needed)))) from exc
    except (CryptoError, OSError, ValueError) as exc:
        raise BackupError(ESCROW_MESSAGE.format(ids=", ".join(sorted(needed)))) from exc
    lacking = needed - set(available)
    if lacking:
        raise BackupError(ESCROW_MESSAGE.format(ids=", ".join(sorted(lacking))))


def check_empty_target(storage: Storage) -> None:
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(f"Refused: the target database is not empty ({len(tables)} tables); "
                          "restore only into a new, empty database. Nothing was written.")
    if next(walk_storage(storage), None) is not None:
        raise BackupError("Refused: the target document store is not empty; restore only into "
                          "an empty one. Nothing was written.")


def _restore_sqlite(path: Path) -> None:
    target = Path(str(_database()["NAME"]))
    connection.close()
    for extra in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        extra.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        _new_file(target)
    target.chmod(0o600)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    dest = sqlite3.connect(str(target))
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()


def _restore_postgresql(path: Path) -> None:
    connection.close()
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
          "--single-transaction", *_pg_args(), str(path)], "pg_restore")


def _restore_documents(src: Path, manifest: dict[str, Any], storage: Storage) -> int:
    prefix = f"{DOCUMENTS}/"
    restored = 0
    for entry in manifest["files"]:
        if not entry["name"].startswith(prefix):
            continue
        name = _safe_name(entry["name"][len(prefix):])
        with (src / entry["name"]).open("rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError("A document could not be restored under its own name.")
        restored += 1
    return restored


@dataclass
class RestoreReport:
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def _self_check(manifest: dict[str, Any], storage: Storage, report: RestoreReport) -> None:
    """After the restore, before anything new is written: the counts, the audit head and the
    documents are the manifest's; then the two verify commands."""
    connection.close()
    expected = manifest.get("row_counts", {})
    wrong = [t for t, n in expected.items() if _count(_django_query, t) != n]
    if wrong:
        report.failures.append(f"row counts differ in {len(wrong)} table(s): {', '.join(wrong)}")
    else:
        report.lines.append(f"row counts: {len(expected)} tables as in the manifest")
    head = _django_query("SELECT seq, hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1")
    head_now = {"seq": int(head[0][0]), "hash": head[0][1]} if head else None
    if head_now != manifest.get("audit_head"):
        report.failures.append("the access log's head differs from the manifest's")
    files = {f["name"]: f for f in manifest["files"]}
    checked, bad = 0, 0
    for model in _document_models():
        for name in model._default_manager.values_list("storage_name", flat=True).iterator():
            entry = files.get(f"{DOCUMENTS}/{name}")
            try:
                ok = entry is not None and _hash_stored(storage, name) == (
                    entry["size"], entry["sha256"])
            except OSError:
                ok = False
            checked, bad = checked + 1, bad + (not ok)
    if bad:
        report.failures.append(f"{bad} of {checked} document file(s) missing or changed")
    else:
        report.lines.append(f"documents: {checked} present with the manifest's hash")
    for command in ("verify_encryption", "verify_audit_log"):
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command(command, stdout=out, stderr=err)
            report.lines.append(f"{command}: {out.getvalue().strip()}")
        except CommandError as exc:
            report.failures.append(f"{command}: {exc}")
        except CryptoError as exc:
            report.failures.append(f"{command}: {type(exc).__name__}")


def restore_backup(src: Path) -> RestoreReport:
    """Restore the backup in `src` into this (empty) installation, then check it."""
    src = src.expanduser().resolve()
    manifest = read_manifest(src)
    check_keys(manifest)
    check_mac(manifest)
    check_files(src, manifest)
    engine = connection.vendor
    if manifest["engine"] != engine:
        raise BackupError(f"Refused: the backup is of a {manifest['engine']} database, "
                          f"this installation uses {engine}. Nothing was written.")
    storage = document_storage()
    check_empty_target(storage)
    database_file = src / manifest["database_file"]
    if engine == "sqlite":
        _restore_sqlite(database_file)
    else:
        _restore_postgresql(database_file)
    restored = _restore_documents(src, manifest, storage)
    report = RestoreReport(lines=[f"database restored ({engine}), {restored} file(s) copied "
                                  "into the document store"])
    _self_check(manifest, storage, report)
    events.record(None, "RESTORE", None, outcome="rejected" if report.failures else "allowed",
                  files=len(manifest["files"]), documents=restored,
                  failures=len(report.failures))
    return report
