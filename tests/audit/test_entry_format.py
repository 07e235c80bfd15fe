"""Entry format versions: version 1 entries verify exactly as before; version 2 covers the case,
the subject and the version, with an injective encoding that verification reads straight from
the database; version 3 adds the processing activity and the entry's span, and a chain of all
three verifies; old entries are attributed to their case at read time, without a write."""

from __future__ import annotations

import hmac
import json
import uuid
from datetime import UTC

import pytest

from shelter import audit
from shelter.audit import Action
from shelter.audit import chain as chain_module
from shelter.audit.chain import CURRENT_VERSION, SEP, canonical, entry_hash, verify_chain
from shelter.audit.log import build_fields, write_entry
from shelter.audit.models import AuditEvent
from shelter.audit.selectors import events_for_target, filter_events
from shelter.context import RequestInfo, current_request
from tests.factories import events_after, make_share, raw, triggers_dropped

pytestmark = pytest.mark.django_db


def old_canonical(fields) -> bytes:
    """Version 1 as the code before case attribution computed it (frozen copy)."""
    names = ("seq", "time", "actor_id", "actor_role", "organisation_id", "action",
             "target_type", "target_id", "section", "outcome", "request_id", "ip_address",
             "user_agent", "facts", "prev_hash")
    doc = {name: fields[name] for name in names}
    doc["time"] = doc["time"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def write_v1(actor, action, target, **facts):
    """An entry as the code before this change wrote it: no case, no subject, version 1."""
    fields = build_fields(actor, action, target, "allowed", "", facts)
    fields.update(version=1, case_id="", subject_id="", facts=dict(sorted(facts.items())))
    entry = write_entry(fields)
    key = chain_module.chain_key()
    assert entry.hash == hmac.digest(key, old_canonical(fields), "sha256").hex()
    return entry


V2_NAMES = ("version", "seq", "time", "actor_id", "actor_role", "organisation_id", "action",
            "target_type", "target_id", "section", "outcome", "request_id", "ip_address",
            "user_agent", "case_id", "subject_id", "facts", "prev_hash")


def old_v2_text(fields) -> bytes:
    """Version 2 as the code before the processing activity computed it (frozen copy)."""
    def text(value):
        value = "" if value is None else str(value)
        return value.replace("\\", "\\\\").replace(SEP, "\\_")

    parts = ["" if fields[name] is None else str(fields[name]) for name in V2_NAMES]
    parts[2] = fields["time"].astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    parts[16] = chain_module.facts_text(fields["facts"])
    return SEP.join(text(part) for part in parts).encode()


def write_v2(actor, action, target, case=None, **facts):
    """An entry as the code before this change wrote it: case and subject, no activity, no
    span, version 2."""
    fields = build_fields(actor, action, target, "allowed", "", facts, case)
    for name in ("activity", "activity_version", "span_id", "parent_span_id"):
        fields.pop(name)
    fields["version"] = 2
    entry = write_entry(fields)
    assert entry.hash == hmac.digest(chain_module.chain_key(), old_v2_text(fields),
                                     "sha256").hex()
    return entry


def test_a_chain_of_all_three_versions_verifies(olaf, case, since, monkeypatch):
    write_v1(olaf, Action.CASE_LIST, None, page=2)
    write_v2(olaf, Action.CASE_VIEW_SECTION, case, case=case)
    newest = audit.record(olaf, Action.CASE_VIEW_SECTION, case, section="identity")
    write_v2(olaf, Action.CASE_LIST, None, page=1)
    audit.record(olaf, Action.CASE_LIST, None, page=3)
    stored = events_after(since)
    assert [e.version for e in stored] == [1, 2, 3, 2, 3]
    assert (newest.activity, newest.activity_version) == ("residency", 1)
    assert len(newest.span_id) == 16
    slow = []
    original = chain_module.check_entry
    monkeypatch.setattr(chain_module, "check_entry",
                        lambda report, row, key=None: slow.append(row["seq"])
                        or original(report, row, key))
    report = verify_chain(chunk_size=2)
    assert report.ok, report
    # Versions 2 and 3 verify from the database's text; only version 1 needs its values.
    assert [seq for seq in slow if seq > since] == [stored[0].seq]


def test_a_version_1_chain_from_the_old_code_still_verifies_beside_newer_ones(olaf, since):
    first = write_v1(olaf, Action.CASE_LIST, None, page=2, ids=[3, 1])
    write_v1(olaf, Action.DOCUMENT_DOWNLOAD, ("cases.document", uuid.uuid4()),
             case_id=str(uuid.uuid4()))
    audit.record(olaf, Action.CASE_LIST, None, page=1)
    write_v1(olaf, Action.CASE_SEARCH, None, results=0)
    stored = events_after(since)
    assert [e.version for e in stored] == [1, 1, CURRENT_VERSION, 1]
    assert AuditEvent.objects.get(seq=first.seq).hash == first.hash
    assert all(entry_hash(e.__dict__) == e.hash for e in stored)
    report = verify_chain(chunk_size=3)
    assert report.ok, report


@pytest.mark.parametrize(("column", "value"), [
    ("case_id", str(uuid.uuid4())), ("case_id", ""), ("subject_id", "f" * 64),
    ("version", 1), ("version", 2), ("version", 9), ("facts", '{"page": 2}'),
    ("activity", "budget"), ("activity_version", 2), ("span_id", "0" * 16),
    ("parent_span_id", "a" * 16),
])
def test_changing_a_field_of_the_current_version_breaks_the_entry(column, value, case, olaf):
    entry = audit.record(olaf, Action.CASE_VIEW_SECTION, case, section="identity", page=1)
    assert entry.case_id == str(case.pk) and entry.version == CURRENT_VERSION
    with triggers_dropped():
        raw(f"UPDATE audit_auditevent SET {column} = %s WHERE seq = %s", [value, entry.seq])
    report = verify_chain()
    assert (report.broken_seq, report.reason) == (
        entry.seq, "unknown_version" if value == 9 else "hash_mismatch")


def test_version_2_entries_verify_from_the_database_text_on_both_databases(olaf, since,
                                                                           monkeypatch):
    """jsonb reorders keys and respaces; the stored facts come back as the text hashed."""
    token = current_request.set(RequestInfo("b" * 32, "2001:db8::1", "Mozilla/5.0 (X11) é ü"))
    try:
        for facts in ({}, {"zeta": 1, "a": -5, "bb": True, "ccc": None},
                      {"ids": [3, "x-1", 2], "sections": ["basic"], "n": 2 ** 40}):
            audit.record(olaf, Action.CASE_LIST, ("cases.case", uuid.uuid4()), **facts)
    finally:
        current_request.reset(token)
    slow = []
    original = chain_module.check_entry
    monkeypatch.setattr(chain_module, "check_entry",
                        lambda report, row, key=None: slow.append(row["seq"])
                        or original(report, row, key))
    assert verify_chain().ok
    assert [seq for seq in slow if seq > since] == []  # no entry needed the fallback


@pytest.mark.parametrize("user_agent", ["back\\slash", "unit" + SEP + "separator",
                                        "\\" + SEP + "_"])
def test_values_needing_escapes_still_verify_and_cannot_shift_between_fields(
        olaf, user_agent, since):
    token = current_request.set(RequestInfo("c" * 32, "192.0.2.1", user_agent))
    try:
        entry = audit.record(olaf, Action.CASE_LIST, None)
    finally:
        current_request.reset(token)
    assert AuditEvent.objects.get(seq=entry.seq).user_agent == user_agent
    assert verify_chain().ok
    fields = dict(entry.__dict__)
    moved = dict(fields, ip_address=fields["ip_address"] + SEP + fields["user_agent"],
                 user_agent="")
    assert canonical(moved) != canonical(fields)
    shifted = dict(fields, actor_role="a" + SEP, target_type="b")
    assert canonical(shifted) != canonical(dict(fields, actor_role="a", target_type=SEP + "b"))
    assert canonical(dict(fields, actor_id=None)) != canonical(dict(fields, actor_id=0))


def test_versions_cannot_be_confused(olaf):
    entry = audit.record(olaf, Action.CASE_LIST, None)
    fields = dict(entry.__dict__)
    assert canonical(fields).startswith(b"3" + SEP.encode())
    assert canonical(dict(fields, version=2)).startswith(b"2" + SEP.encode())
    assert canonical(dict(fields, version=2)).count(SEP.encode()) == 17
    assert canonical(fields).count(SEP.encode()) == 21
    assert canonical(dict(fields, version=1)).startswith(b"{")
    with pytest.raises(ValueError):
        canonical(dict(fields, version=9))


def test_old_entries_about_a_case_part_are_found_in_the_case_history(case, carla, olaf, pia, aud,
                                                                     since):
    from cases import services

    note = services.note_create(case=case, category="general", body="x", acting_user=olaf)
    share = make_share(case, carla, user=pia)
    old = [write_v1(olaf, Action.NOTE_CREATE, note, case_id=str(case.pk)).seq,
           write_v1(olaf, Action.SHARE_GRANT, share).seq,
           write_v1(olaf, Action.CASE_VIEW_SECTION, case).seq]
    other = write_v1(olaf, Action.NOTE_CREATE, ("cases.note", uuid.uuid4())).seq
    new = [e.seq for e in events_after(since)
           if e.version == CURRENT_VERSION and e.case_id == str(case.pk)]
    history = {e.seq for e in events_for_target(aud, "cases.case", case.pk)}
    assert set(old) <= history and set(new) <= history and other not in history
    filtered = {e.seq for e in filter_events(AuditEvent.objects.all(),
                                             {"target_id": str(case.pk)})}
    assert set(old) | set(new) <= filtered and other not in filtered
    assert {e.case_id for e in AuditEvent.objects.filter(seq__in=old)} == {""}  # no writes
