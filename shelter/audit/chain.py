"""The hash chain: canonical form of an entry, verification, and authenticated checkpoints.

Each entry's hash is HMAC-SHA256, under the audit chain key (from the key file, never in the
database), over the sorted-key compact JSON of all its fields, including its `seq` and the
previous entry's hash. So someone who can write to the database but has no key file cannot
rewrite, insert or re-chain entries without `verify_chain` naming the first one they touched
(an unkeyed SHA-256 chain could simply be recomputed). Verification walks the table in `seq`
order with keyset pagination (constant memory). A checkpoint (seq, hash, HMAC under the
checkpoint key) kept outside the system adds what a chain alone cannot show: that the tail was
not cut off, and that nothing was rewritten by someone who also held the key file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

GENESIS_HASH = "0" * 64
# Every stored field except `hash`, in the order rows are read for verification.
HASHED_FIELDS = (
    "seq", "time", "actor_id", "actor_role", "organisation_id", "action", "target_type",
    "target_id", "section", "outcome", "request_id", "ip_address", "user_agent", "facts",
    "prev_hash",
)
CHECKPOINT_VERSION = 1


def format_time(moment: datetime) -> str:
    """UTC with microseconds, always the same shape, whatever the database returned."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(fields: Mapping[str, object]) -> bytes:
    """The bytes an entry's hash covers: sorted-key compact JSON of HASHED_FIELDS."""
    doc = {name: fields[name] for name in HASHED_FIELDS}
    doc["time"] = format_time(doc["time"])  # type: ignore[arg-type]
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_key() -> bytes:
    from shelter.crypto.keyring import get_audit_chain_key

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
    from shelter.crypto.keyring import get_audit_checkpoint_key

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


def iter_rows(chunk_size: int = 5000) -> Iterator[dict]:
    """Every entry as a dict, in seq order, one chunk in memory at a time (keyset pagination)."""
    from shelter.audit.models import AuditEvent

    names = (*HASHED_FIELDS, "hash")
    after = None
    while True:
        query = AuditEvent.objects.order_by("seq")
        if after is not None:
            query = query.filter(seq__gt=after)
        rows = list(query.values_list(*names)[:chunk_size])
        for row in rows:
            yield dict(zip(names, row, strict=True))
        if len(rows) < chunk_size:
            return
        after = rows[-1][0]


def check_entry(report: ChainReport, row: dict, key: bytes | None = None) -> bool:
    """Check one entry against the previous one; False (and the report says why) if broken."""
    seq = row["seq"]
    expected = report.last_seq + 1
    if seq != expected:
        report.fail(expected, "missing" if seq > expected else "out_of_order")
    elif row["prev_hash"] != report.last_hash:
        report.fail(seq, "prev_hash_mismatch")
    elif not hmac.compare_digest(entry_hash(row, key), row["hash"]):
        report.fail(seq, "hash_mismatch")
    else:
        report.entries, report.last_seq, report.last_hash = report.entries + 1, seq, row["hash"]
    return report.ok


def verify_chain(checkpoint: Checkpoint | None = None, chunk_size: int = 5000) -> ChainReport:
    """Walk the whole chain; stop at the first broken entry. Checks the checkpoint on the way."""
    report, key = ChainReport(), chain_key()
    for row in iter_rows(chunk_size):
        if not check_entry(report, row, key):
            return report
        if checkpoint and row["seq"] == checkpoint.seq and row["hash"] != checkpoint.hash:
            return report.fail(checkpoint.seq, "checkpoint_mismatch")
    if checkpoint and report.last_seq < checkpoint.seq:
        return report.fail(report.last_seq + 1, "truncated_before_checkpoint")
    return report
