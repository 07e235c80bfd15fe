"""The hash chain: canonical form of an entry, verification, and authenticated checkpoints.

Each entry's hash is HMAC-SHA256, under the audit chain key (from the key file, never in the
database), over the canonical form of all its fields (by format version: sorted-key JSON for
version 1, a fixed-order escaped text for version 2), including its `seq` and the previous
entry's hash. So someone who can write to the database but has no key file cannot
rewrite, insert or re-chain entries without `verify_chain` naming the first one they touched
(an unkeyed SHA-256 chain could simply be recomputed). Verification walks the table with
keyset pagination (constant memory) through a raw cursor. A checkpoint (seq, hash, HMAC under the
checkpoint key) kept outside the system adds what a chain alone cannot show: that the tail was
not cut off, and that nothing was rewritten by someone who also held the key file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import multiprocessing
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.db import connection, connections

from shelter.audit.models import AuditEvent
from shelter.crypto.keyring import get_audit_chain_key, get_audit_checkpoint_key

GENESIS_HASH = "0" * 64
# Version 1 (entries written before case attribution): every stored field except `hash`.
HASHED_FIELDS = (
    "seq", "time", "actor_id", "actor_role", "organisation_id", "action", "target_type",
    "target_id", "section", "outcome", "request_id", "ip_address", "user_agent", "facts",
    "prev_hash",
)
# Version 2: every stored field except `hash`, in this fixed order, the version first.
HASHED_FIELDS_V2 = (
    "version", "seq", "time", "actor_id", "actor_role", "organisation_id", "action",
    "target_type", "target_id", "section", "outcome", "request_id", "ip_address", "user_agent",
    "case_id", "subject_id", "facts", "prev_hash",
)
# Version 3: version 2's fields, then the processing activity (code and register version) and
# the entry's span in the W3C trace (its own id and its parent's: the request), before prev_hash.
HASHED_FIELDS_V3 = (
    *HASHED_FIELDS_V2[:-1], "activity", "activity_version", "span_id", "parent_span_id",
    "prev_hash",
)
CURRENT_VERSION = 3
VERSIONS = (1, 2, 3)
FIELDS_BY_VERSION = {2: HASHED_FIELDS_V2, 3: HASHED_FIELDS_V3}
SEP = "\x1f"  # the ASCII unit separator; escaped inside values, see `_v2_text`
CHECKPOINT_VERSION = 1


def format_time(moment: datetime) -> str:
    """UTC with microseconds, always the same shape, whatever the database returned."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical_v1(fields: Mapping[str, object]) -> bytes:
    """Version 1, unchanged: sorted-key compact JSON of HASHED_FIELDS."""
    doc = {name: fields[name] for name in HASHED_FIELDS}
    doc["time"] = format_time(doc["time"])  # type: ignore[arg-type]
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def jsonb_order(value: object) -> object:
    """Objects with their keys in PostgreSQL's jsonb order (shorter first, then bytewise).

    Facts are stored in this order, so the JSON text SQLite keeps and the text PostgreSQL's
    jsonb gives back are the same characters, and verification can hash them as they come.
    """
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (len(k.encode()), k.encode()))
        return {key: jsonb_order(value[key]) for key in keys}
    if isinstance(value, list):
        return [jsonb_order(item) for item in value]
    return value


def facts_text(facts: object) -> str:
    """The facts as version 2 hashes them: JSON, keys in jsonb order, jsonb's separators."""
    return json.dumps(jsonb_order(facts), ensure_ascii=False)


def time_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _text(value: object) -> str:
    """Integers as decimals, None as the empty string (never a decimal), text as itself."""
    return "" if value is None else str(value)


def _escape(text: str) -> str:
    if "\\" in text or SEP in text:
        return text.replace("\\", "\\\\").replace(SEP, "\\_")
    return text


def _v2_text(fields: Mapping[str, object], names: tuple[str, ...] = HASHED_FIELDS_V2) -> str:
    """Versions 2 and 3: the values of `names` (HASHED_FIELDS_V2 or _V3) joined by SEP, each
    escaped.

    Injective: a backslash becomes two and SEP inside a value becomes backslash-underscore, so
    no value holds a bare SEP and the text splits back into exactly the values it was built
    from; None and integers cannot collide in a field that is always one or the other. The
    version comes first, so the two layouts cannot be confused either.
    """
    parts = [_text(fields[name]) for name in names]
    parts[2] = time_text(fields["time"])  # type: ignore[arg-type]
    parts[16] = facts_text(fields["facts"])
    return SEP.join(_escape(part) for part in parts)


def canonical(fields: Mapping[str, object]) -> bytes:
    """The bytes an entry's hash covers, by its format version (1 when absent).

    The forms cannot be confused: version 1 is a JSON object (starts with "{"), versions 2 and
    3 start with their version number.
    """
    version = fields.get("version", 1)
    if version == 1:
        return _canonical_v1(fields)
    if version in FIELDS_BY_VERSION:
        return _v2_text(fields, FIELDS_BY_VERSION[version]).encode()
    raise ValueError(f"unknown audit entry version {version!r}")


def chain_key() -> bytes:
    return get_audit_chain_key()


def entry_hash(fields: Mapping[str, object], key: bytes | None = None) -> str:
    """HMAC-SHA256 of the entry's canonical form (pass `key` when hashing many entries)."""
    return hmac.digest(key or chain_key(), canonical(fields), "sha256").hex()


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    mac: str

    def as_json(self) -> str:
        return json.dumps({"v": CHECKPOINT_VERSION, "seq": self.seq, "hash": self.hash,
                           "mac": self.mac}, sort_keys=True)


class CheckpointInvalid(ValueError):
    """The checkpoint is malformed or its MAC does not match (forged or another key)."""


def _checkpoint_key() -> bytes:
    # The one place the audit app touches key material; the key lives with the master keys.
    return get_audit_checkpoint_key()


def _mac(seq: int, head_hash: str) -> str:
    message = f"shelter-audit-checkpoint:v{CHECKPOINT_VERSION}:{seq}:{head_hash}".encode()
    return hmac.new(_checkpoint_key(), message, hashlib.sha256).hexdigest()


def make_checkpoint(seq: int, head_hash: str) -> Checkpoint:
    return Checkpoint(seq=seq, hash=head_hash, mac=_mac(seq, head_hash))


def parse_checkpoint(text: str) -> Checkpoint:
    """A checkpoint from its JSON or from a file holding it; the MAC is checked here."""
    text = text.strip()
    if not text.startswith("{"):
        text = Path(text).read_text().strip().splitlines()[-1]
    try:
        doc = json.loads(text)
        checkpoint = Checkpoint(seq=int(doc["seq"]), hash=str(doc["hash"]), mac=str(doc["mac"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointInvalid("The checkpoint is not valid JSON with seq, hash and mac.") from exc
    if not hmac.compare_digest(checkpoint.mac, _mac(checkpoint.seq, checkpoint.hash)):
        raise CheckpointInvalid("The checkpoint's MAC does not match: forged or another key.")
    return checkpoint


@dataclass
class ChainReport:
    ok: bool = True
    entries: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    broken_seq: int | None = None
    reason: str = ""

    def fail(self, seq: int, reason: str) -> ChainReport:
        self.ok, self.broken_seq, self.reason = False, seq, reason
        return self


def iter_rows(chunk_size: int = 5000, after: int | None = None, until: int | None = None
              ) -> Iterator[dict]:
    """Every entry as a dict of its values, in seq order, one chunk in memory at a time."""
    names = (*HASHED_FIELDS_V3, "hash")
    while True:
        query = AuditEvent.objects.order_by("seq")
        if after is not None:
            query = query.filter(seq__gt=after)
        if until is not None:
            query = query.filter(seq__lte=until)
        rows = list(query.values_list(*names)[:chunk_size])
        for row in rows:
            yield dict(zip(names, row, strict=True))
        if len(rows) < chunk_size:
            return
        after = rows[-1][1]


def check_entry(report: ChainReport, row: dict, key: bytes | None = None) -> bool:
    """Check one entry against the previous one; False (and the report says why) if broken."""
    seq = row["seq"]
    expected = report.last_seq + 1
    if seq != expected:
        report.fail(expected, "missing" if seq > expected else "out_of_order")
    elif row["prev_hash"] != report.last_hash:
        report.fail(seq, "prev_hash_mismatch")
    elif row.get("version", 1) not in VERSIONS:
        report.fail(seq, "unknown_version")
    elif not hmac.compare_digest(entry_hash(row, key), row["hash"]):
        report.fail(seq, "hash_mismatch")
    else:
        report.entries, report.last_seq, report.last_hash = report.entries + 1, seq, row["hash"]
    return report.ok


# The version 2 or 3 text of an entry (by its version), built by the database from the stored
# values: the same characters `_v2_text` builds from them, as long as no value holds SEP or a
# backslash (then escaping would change it; the verifier checks and falls back to `_v2_text`).
_V2_SQL = {
    "sqlite": (
        "CAST(version AS TEXT) || char(31) || CAST(seq AS TEXT) || char(31) || "
        "(CASE WHEN length(\"time\") = 19 THEN \"time\" || '.000000' ELSE \"time\" END)"
        " || char(31) || COALESCE(CAST(actor_id AS TEXT), '') || char(31) || actor_role"
        " || char(31) || COALESCE(CAST(organisation_id AS TEXT), '') || char(31)"
        " || CAST(action AS TEXT) || char(31) || target_type || char(31) || target_id"
        " || char(31) || section || char(31) || outcome || char(31) || request_id"
        " || char(31) || ip_address || char(31) || user_agent || char(31) || case_id"
        " || char(31) || subject_id || char(31) || facts || char(31)"
        " || (CASE WHEN version >= 3 THEN activity || char(31)"
        " || CAST(activity_version AS TEXT) || char(31) || span_id || char(31)"
        " || parent_span_id || char(31) ELSE '' END) || prev_hash"
    ),
    "postgresql": (
        "version::text || chr(31) || seq::text || chr(31)"
        " || to_char(\"time\" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || chr(31)"
        " || COALESCE(actor_id::text, '') || chr(31) || actor_role || chr(31)"
        " || COALESCE(organisation_id::text, '') || chr(31) || action::text || chr(31)"
        " || target_type || chr(31) || target_id || chr(31) || section || chr(31) || outcome"
        " || chr(31) || request_id || chr(31) || ip_address || chr(31) || user_agent"
        " || chr(31) || case_id || chr(31) || subject_id || chr(31) || facts::text"
        " || chr(31) || (CASE WHEN version >= 3 THEN activity || chr(31)"
        " || activity_version::text || chr(31) || span_id || chr(31) || parent_span_id"
        " || chr(31) ELSE '' END) || prev_hash"
    ),
}
_SEP_BYTES = SEP.encode()
# The text's first two bytes (version and SEP) name how many separators its canonical form has.
_FAST_SEPARATORS = {b"2" + _SEP_BYTES: len(HASHED_FIELDS_V2) - 1,
                    b"3" + _SEP_BYTES: len(HASHED_FIELDS_V3) - 1}
# The text comes back as its UTF-8 bytes (a blob / bytea): what the HMAC covers, with no
# decoding into a Python string and encoding back for every entry.
_AS_BYTES = {"sqlite": "CAST({} AS BLOB)", "postgresql": "convert_to({}, 'UTF8')"}


# Pages in a key order: seq (the chain's order) everywhere, or SQLite's rowid, its physical
# order: a plain table scan instead of an index probe per row. The table has no INTEGER
# PRIMARY KEY, so rowid is not seq; a walk in rowid order that verifies proves the seq walk
# would (every seq from 1 on, each once), and any other result is decided by the seq walk.
_PAGE_SQL = {  # constants only: no value reaches this text but through parameters
    (vendor, key): f"SELECT {key}, seq, hash, " + _AS_BYTES[vendor].format(text)  # noqa: S608
    + f" FROM audit_auditevent WHERE {key} > %s AND {key} <= %s ORDER BY {key} LIMIT %s"
    for vendor, text in _V2_SQL.items() for key in ("seq", "rowid") if vendor == "sqlite"
    or key == "seq"
}


NO_END = 2**62  # past every seq and rowid


def iter_pages(chunk_size: int = 5000, key: str = "seq", after: int = 0,
               until: int = NO_END) -> Iterator[list[tuple]]:
    """(key, seq, hash, text), page by page: the text is an entry's version 2 or 3 form as the
    database assembles it, as UTF-8 bytes, whatever the entry's version (it starts with that
    version).

    A raw cursor and keyset pagination: no model instances, no per-row type conversion, and
    one page in memory at a time.
    """
    sql = _PAGE_SQL[connection.vendor, key]
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [after, until, chunk_size])
            rows = cursor.fetchall()
        if rows and isinstance(rows[0][3], memoryview):  # a driver that hands out views
            rows = [(*row[:3], None if row[3] is None else bytes(row[3])) for row in rows]
        if rows:
            yield rows
        if len(rows) < chunk_size:
            return
        after = rows[-1][0]


def fast_bytes(text: bytes | None) -> bytes | None:
    """The canonical bytes straight from the database's text, when no escaping applies."""
    if (text is None or _FAST_SEPARATORS.get(bytes(text[:2])) != text.count(_SEP_BYTES)
            or b"\\" in text):
        return None
    return bytes(text)


def _slow_rows(first: int, last: int, seqs: set[int]) -> dict[int, dict]:
    """The values of some entries of one page, through the ORM (version 1, or escaping)."""
    return {row["seq"]: row for row in iter_rows(after=first - 1, until=last)
            if row["seq"] in seqs}


def _check_page(report: ChainReport, rows: list[tuple], key: bytes,
                checkpoint: Checkpoint | None) -> bool:
    # Locals, not attributes, in the loop: this runs once per entry.
    # The text ends with the entry's prev_hash; with exactly its version's separators (17 for
    # version 2, 21 for 3) and no backslash it is the canonical form, so checking its end is
    # checking the prev_hash column.
    digest, same, separators = hmac.digest, hmac.compare_digest, _FAST_SEPARATORS
    sep = _SEP_BYTES
    entries, last_seq, last_hash = report.entries, report.last_seq, report.last_hash
    tail = sep + last_hash.encode()
    checkpoint_seq = checkpoint.seq if checkpoint else None
    slow: dict[int, dict] | None = None
    for _key, seq, stored, text in rows:
        if (text is not None and seq == last_seq + 1 and text.endswith(tail)
                and separators.get(text[:2]) == text.count(sep)
                and b"\\" not in text and same(digest(key, text, "sha256").hex(), stored)):
            entries, last_seq, last_hash = entries + 1, seq, stored
            tail = sep + stored.encode()
        else:  # version 1, a value that needs escaping, or broken: decide on the full values
            report.entries, report.last_seq, report.last_hash = entries, last_seq, last_hash
            if slow is None:
                seqs = [r[1] for r in rows]
                slow = _slow_rows(min(seqs), max(seqs), {
                    r[1] for r in rows if (r[3] or b"")[:2] not in separators})
            row = slow.get(seq) or next(iter_rows(after=seq - 1, until=seq))
            if not check_entry(report, row, key):
                return False
            entries, last_seq, last_hash = report.entries, report.last_seq, report.last_hash
            tail = sep + last_hash.encode()
        if seq == checkpoint_seq and stored != checkpoint.hash:
            report.entries, report.last_seq, report.last_hash = entries, last_seq, last_hash
            report.fail(checkpoint_seq, "checkpoint_mismatch")
            return False
    report.entries, report.last_seq, report.last_hash = entries, last_seq, last_hash
    return True


def _walk(checkpoint: Checkpoint | None, chunk_size: int, key: str) -> ChainReport:
    report, chain = ChainReport(), chain_key()
    for rows in iter_pages(chunk_size, key):
        if not _check_page(report, rows, chain, checkpoint):
            return report
    if checkpoint and report.last_seq < checkpoint.seq:
        return report.fail(report.last_seq + 1, "truncated_before_checkpoint")
    return report


# A long chain is verified in parts by several processes (the work is per entry: fetching,
# assembling and hashing it), then the parts are joined: each part must start at the seq after
# the previous part's end and name that part's last hash as its prev_hash. Only the command line
# does this (forking a multi-threaded web worker is unsafe); any doubt, and the one-process walk
# decides, so the parts can only accept, never condemn, like the fast path.
PARALLEL_MIN_ENTRIES = 100_000


@dataclass(frozen=True)
class _Part:
    ok: bool
    entries: int = 0
    first_seq: int = 0
    first_prev: str = ""
    last_seq: int = 0
    last_hash: str = ""


def _walk_part(key: str, after: int, until: int, chunk_size: int,
               checkpoint: Checkpoint | None) -> _Part:
    """One part of the chain (key in (after, until]), in its own process and connection."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, prev_hash FROM audit_auditevent WHERE {key} > %s "  # noqa: S608
                       f"AND {key} <= %s ORDER BY {key} LIMIT 1", [after, until])
        first = cursor.fetchone()
    if first is None:
        return _Part(ok=True)
    report = ChainReport(last_seq=first[0] - 1, last_hash=first[1])
    chain = chain_key()
    for rows in iter_pages(chunk_size, key, after, until):
        if not _check_page(report, rows, chain, checkpoint):
            return _Part(ok=False)
    connection.close()
    return _Part(True, report.entries, first[0], first[1], report.last_seq, report.last_hash)


def _parallel_report(checkpoint: Checkpoint | None, chunk_size: int,
                     workers: int) -> ChainReport | None:
    """The whole chain verified in `workers` processes; None when the parts do not verify
    and join (the one-process walk then says exactly where and why)."""
    key = "rowid" if connection.vendor == "sqlite" else "seq"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN({key}), MAX({key}) FROM audit_auditevent")  # noqa: S608
        low, high = cursor.fetchone()
    if low is None:
        return None
    step = (high - low) // workers + 1
    bounds = [(low - 1 + i * step, min(low - 1 + (i + 1) * step, high)) for i in range(workers)]
    connections.close_all()  # each process opens its own connection
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        parts = list(pool.map(_walk_part, *zip(*[(key, a, b, chunk_size, checkpoint)
                                                 for a, b in bounds], strict=True)))
    report = ChainReport()
    for part in parts:
        if not part.ok:
            return None
        if not part.entries:
            continue
        if part.first_seq != report.last_seq + 1 or part.first_prev != report.last_hash:
            return None
        report.entries += part.entries
        report.last_seq, report.last_hash = part.last_seq, part.last_hash
    if checkpoint and report.last_seq < checkpoint.seq:
        return None
    return report


def _can_fork(workers: int) -> bool:
    if workers < 2 or connection.in_atomic_block:
        return False
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():
            return False
    elif connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(seq) FROM audit_auditevent")
        head = cursor.fetchone()[0] or 0
    return head >= PARALLEL_MIN_ENTRIES


def verify_chain(checkpoint: Checkpoint | None = None, chunk_size: int = 5000,
                 workers: int = 1) -> ChainReport:
    """Walk the whole chain; stop at the first broken entry. Checks the checkpoint on the way.

    Version 2 entries are hashed from the text the database assembles (see `_V2_SQL`); any
    entry that does not verify that way is decided on its full values by `check_entry`, so the
    fast path can only accept, never condemn: it is `canonical` computed closer to the data.
    With `workers` > 1 (the command line) a long chain is verified in parts in that many
    processes first (see `_parallel_report`).
    """
    if _can_fork(workers):
        report = _parallel_report(checkpoint, chunk_size, workers)
        if report is not None:
            return report
    if connection.vendor == "sqlite":
        report = _walk(checkpoint, chunk_size, "rowid")
        if report.ok:
            return report
    return _walk(checkpoint, chunk_size, "seq")
