"""verify_audit_log finds any single altered, removed, inserted or reordered entry, and a cut
tail against a checkpoint. Each test plays an attacker who dropped the triggers (rolled back).
Tests that recompute hashes with `entry_hash` play one who also stole the key file; one who
only has the database can at best re-chain with unkeyed SHA-256, and is caught at once."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.management import CommandError, call_command

from shelter import audit
from shelter.audit import Action
from shelter.audit import chain as chain_module
from shelter.audit.chain import canonical, entry_hash, make_checkpoint, verify_chain
from shelter.audit.models import AuditEvent, ChainVerification
from tests.factories import raw, triggers_dropped

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(olaf, otto):
    """Five fresh entries; returns their seqs."""
    return [audit.record(user, Action.CASE_LIST).seq for user in (olaf, otto, olaf, otto, olaf)]


def broken_at() -> tuple[int | None, str]:
    report = verify_chain(chunk_size=2)  # small chunks: the keyset pagination is exercised
    return report.broken_seq, report.reason


def shift_up(from_seq: int) -> None:
    """Renumber entries from `from_seq` on by +1 (via a detour, to dodge the unique key)."""
    raw("UPDATE audit_auditevent SET seq = seq + 1000000 WHERE seq >= %s", [from_seq])
    raw("UPDATE audit_auditevent SET seq = seq - 999999 WHERE seq >= %s", [from_seq + 1000000])


def test_an_intact_chain_verifies(chain, capsys):
    call_command("verify_audit_log")
    assert "Audit log OK" in capsys.readouterr().out
    latest = ChainVerification.objects.latest()
    assert latest.ok and latest.last_seq >= chain[-1]
    assert AuditEvent.objects.order_by("-seq").first().action == Action.VERIFY


def test_altered_entry_is_named(chain):
    with triggers_dropped():
        raw("UPDATE audit_auditevent SET target_id = 'x' WHERE seq = %s", [chain[2]])
    assert broken_at() == (chain[2], "hash_mismatch")
    with pytest.raises(CommandError, match=f"seq={chain[2]} "):
        call_command("verify_audit_log")
    latest = ChainVerification.objects.latest()
    assert not latest.ok and latest.broken_seq == chain[2]


def test_altered_entry_with_recomputed_hash_breaks_the_next_link(chain):
    row = AuditEvent.objects.get(seq=chain[2])
    row.actor_id = 999
    with triggers_dropped():
        raw("UPDATE audit_auditevent SET actor_id = 999, hash = %s WHERE seq = %s",
            [entry_hash(row.__dict__), chain[2]])
    assert broken_at() == (chain[3], "prev_hash_mismatch")


def test_removed_entry_is_named(chain):
    with triggers_dropped():
        raw("DELETE FROM audit_auditevent WHERE seq = %s", [chain[1]])
    assert broken_at() == (chain[1], "missing")


def test_inserted_entry_is_found(chain):
    """A forged entry that fits its predecessor still breaks the link to the next one."""
    previous = AuditEvent.objects.get(seq=chain[1])
    forged = {f.attname: getattr(previous, f.attname) for f in AuditEvent._meta.concrete_fields}
    forged.update(seq=chain[2], prev_hash=previous.hash, target_id="forged")
    forged["hash"] = entry_hash(forged)
    with triggers_dropped():
        shift_up(chain[2])
        AuditEvent.objects.create(**forged)
    assert broken_at() == (chain[2] + 1, "prev_hash_mismatch")


def test_naively_inserted_entry_is_named(chain):
    with triggers_dropped():
        shift_up(chain[2])
        source = AuditEvent.objects.get(seq=chain[1])
        source.seq = chain[2]
        AuditEvent.objects.create(**{f.attname: getattr(source, f.attname)
                                     for f in AuditEvent._meta.concrete_fields})
    assert broken_at() == (chain[2], "prev_hash_mismatch")


def test_reordered_entries_are_named(chain):
    a, b = chain[1], chain[2]
    with triggers_dropped():
        raw("UPDATE audit_auditevent SET seq = -1 WHERE seq = %s", [a])
        raw("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [a, b])
        raw("UPDATE audit_auditevent SET seq = %s WHERE seq = -1", [b])
    assert broken_at() == (a, "prev_hash_mismatch")


def test_truncated_tail_is_found_only_with_a_checkpoint(chain, capsys):
    call_command("audit_checkpoint")
    checkpoint = capsys.readouterr().out.strip()
    assert json.loads(checkpoint)["seq"] == chain[-1]
    with triggers_dropped():
        raw("DELETE FROM audit_auditevent WHERE seq >= %s", [chain[3]])
    assert verify_chain().ok  # the chain alone cannot see a cut tail
    with pytest.raises(CommandError, match=f"seq={chain[3]} "):
        call_command("verify_audit_log", checkpoint=checkpoint)


def test_rewritten_history_is_found_with_a_checkpoint(chain, tmp_path):
    path = tmp_path / "checkpoint.json"
    head = AuditEvent.objects.get(seq=chain[-1])
    path.write_text(make_checkpoint(head.seq, head.hash).as_json() + "\n")
    call_command("verify_audit_log", checkpoint=str(path))
    with triggers_dropped():  # rewrite entry 3 and re-chain everything after it consistently
        previous_hash = AuditEvent.objects.get(seq=chain[1]).hash
        for seq in chain[2:]:
            row = AuditEvent.objects.get(seq=seq)
            row.prev_hash, row.actor_id = previous_hash, 999
            row.hash = previous_hash = entry_hash(row.__dict__)
            raw("UPDATE audit_auditevent SET actor_id = 999, prev_hash = %s, hash = %s "
                "WHERE seq = %s", [row.prev_hash, row.hash, seq])
    with pytest.raises(CommandError, match=f"seq={chain[-1]} .*checkpoint_mismatch"):
        call_command("verify_audit_log", checkpoint=str(path))


def test_forged_checkpoint_is_rejected(chain):
    forged = json.dumps({"v": 1, "seq": chain[-1], "hash": "0" * 64, "mac": "0" * 64})
    with pytest.raises(CommandError, match="MAC"):
        call_command("verify_audit_log", checkpoint=forged)


def test_rechaining_without_the_key_file_is_caught_at_the_first_rewritten_entry(chain):
    with triggers_dropped():  # rewrite entry 3 and re-chain after it with what a DB-only
        previous_hash = AuditEvent.objects.get(seq=chain[1]).hash  # attacker can compute
        for seq in chain[2:]:
            row = AuditEvent.objects.get(seq=seq)
            row.prev_hash, row.actor_id = previous_hash, 999
            fields = {name: getattr(row, name) for name in chain_module.HASHED_FIELDS}
            row.hash = previous_hash = hashlib.sha256(canonical(fields)).hexdigest()
            raw("UPDATE audit_auditevent SET actor_id = 999, prev_hash = %s, hash = %s "
                "WHERE seq = %s", [row.prev_hash, row.hash, seq])
    assert broken_at() == (chain[2], "hash_mismatch")  # no checkpoint needed


def test_the_chain_only_verifies_under_its_own_key(chain, monkeypatch):
    first = AuditEvent.objects.order_by("seq").first().seq
    assert verify_chain().ok
    monkeypatch.setattr(chain_module, "chain_key", lambda: b"k" * 32)
    assert broken_at() == (first, "hash_mismatch")
