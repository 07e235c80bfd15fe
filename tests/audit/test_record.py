"""record(): the fields of one entry, the chain it joins, and what facts may hold."""

from __future__ import annotations

import uuid

import pytest

from shelter import audit
from shelter.audit import Action, InvalidFacts, Outcome
from shelter.audit.chain import GENESIS_HASH, entry_hash, verify_chain
from shelter.audit.models import AuditEvent
from shelter.context import RequestInfo, current_request
from tests.factories import events_after

pytestmark = pytest.mark.django_db


def test_record_copies_actor_role_organisation_and_request(olaf, since):
    token = current_request.set(RequestInfo("a" * 32, "192.0.2.7", "Firefox"))
    try:
        case_id = uuid.uuid4()
        event = audit.record(olaf, Action.CASE_VIEW_SECTION, ("cases.case", case_id),
                             section="identity", share_id=12)
    finally:
        current_request.reset(token)
    stored = AuditEvent.objects.get(seq=event.seq)
    assert (stored.actor_id, stored.actor_role, stored.organisation_id) == (
        olaf.pk, "Case officer", olaf.organisation_id)
    assert (stored.action, stored.target_type, stored.target_id, stored.section) == (
        Action.CASE_VIEW_SECTION, "cases.case", str(case_id), "identity")
    assert (stored.outcome, stored.request_id, stored.ip_address, stored.user_agent) == (
        "allowed", "a" * 32, "192.0.2.7", "Firefox")
    assert stored.facts == {"share_id": 12}
    assert [e.seq for e in events_after(since)] == [since + 1]


def test_entries_form_a_gap_free_chain(olaf, aud, since):
    for action in (Action.CASE_LIST, Action.CASE_SEARCH, Action.AUDIT_VIEW):
        audit.record(olaf, action)
    entries = events_after(since)
    assert [e.seq for e in entries] == [since + 1, since + 2, since + 3]
    for previous, entry in zip(entries, entries[1:], strict=False):
        assert entry.prev_hash == previous.hash
    assert all(entry_hash(e.__dict__) == e.hash for e in entries)
    assert verify_chain().ok


def test_first_entry_chains_to_the_genesis_hash(olaf):
    first = AuditEvent.objects.order_by("seq").first() or audit.record(olaf, Action.CASE_LIST)
    assert first.seq == 1 and first.prev_hash == GENESIS_HASH


def test_model_instance_target_and_refused_outcome(olaf, otto):
    event = audit.record(olaf, Action.USER_UPDATE, otto, Outcome.REFUSED)
    assert (event.target_type, event.target_id, event.outcome) == (
        "accounts.user", str(otto.pk), "refused")


def test_anonymous_actor_has_no_id_role_or_organisation():
    event = audit.record(None, Action.SIGN_IN_FAILED, outcome=Outcome.REFUSED)
    assert (event.actor_id, event.actor_role, event.organisation_id) == (None, "", None)


@pytest.mark.parametrize("facts", [
    {"name": "Maria Lopez"},                 # free text with a space: could be a name
    {"email": "maria@example.org"},
    {"note": "x" * 65},
    {"Reason": "ok"},                        # fact names are lower-case codes
    {"ids": list(range(51))},
    {"weight": 1.5},                         # floats do not round-trip byte-exactly
    {"nested": {"a": 1}},
])
def test_facts_refuse_anything_that_could_be_personal_data(olaf, facts, since):
    with pytest.raises(InvalidFacts):
        audit.record(olaf, Action.CASE_LIST, **facts)
    assert events_after(since) == []


def test_facts_accept_ids_codes_and_lists(olaf):
    case_id = uuid.uuid4()
    event = audit.record(olaf, Action.SHARE_GRANT, ("cases.case", case_id), share=case_id,
                         sections=["basic", "contact"], expires="2030-01-01", may_contribute=False)
    assert event.facts == {"share": str(case_id), "sections": ["basic", "contact"],
                           "expires": "2030-01-01", "may_contribute": False}


def test_unknown_action_is_refused(olaf):
    with pytest.raises(ValueError):
        audit.record(olaf, 12345)


def test_deleting_a_user_keeps_their_entries(municipality, since):
    from tests.factories import make_user

    user = make_user("gone@example.org", "Case officer", municipality)
    user_id = user.pk
    audit.record(user, Action.CASE_LIST)
    audit.record(user, Action.CASE_SEARCH)
    user.delete()
    entries = AuditEvent.objects.filter(actor_id=user_id, seq__gt=since)
    assert entries.count() == 2
    assert verify_chain().ok


def test_package_import_does_not_load_models():
    import subprocess
    import sys

    code = ("import os; os.environ['DJANGO_SETTINGS_MODULE']='shelter.settings_test'; "
            "import shelter.audit, sys; assert 'shelter.audit.models' not in sys.modules")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
