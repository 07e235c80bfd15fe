"""Crypto writes its access-log entries through the recorder the audit app installs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from shelter.audit import Action, Outcome
from shelter.crypto import events
from tests.factories import events_after, head_seq

CASE_ID = "00000000-0000-0000-0000-000000000001"


def test_the_audit_app_installs_the_recorder_and_crypto_names_the_action(db):
    since = head_seq()
    events.record(None, "KEY_ROTATE", None, key_id="k2", new_key=True)
    (entry,) = events_after(since)
    assert entry.action == Action.KEY_ROTATE
    assert entry.outcome == Outcome.ALLOWED
    assert entry.facts == {"key_id": "k2", "new_key": True}


def test_an_outcome_reaches_the_log(carla):
    since = head_seq()
    events.record(carla, "INTEGRITY_FAILURE", ("cases.case", CASE_ID), "rejected",
                  kind="document", reason="tag")
    (entry,) = events_after(since)
    assert (entry.action, entry.outcome, entry.actor_id) == (
        Action.INTEGRITY_FAILURE, Outcome.REJECTED, carla.pk)


def test_without_a_recorder_nothing_happens_unrecorded(db, monkeypatch):
    monkeypatch.setattr(events, "_recorder", None)
    since = head_seq()
    with pytest.raises(ImproperlyConfigured, match="shelter.audit"):
        events.record(None, "CASE_SHRED", ("cases.case", CASE_ID))
    assert events_after(since) == []


def test_an_unknown_action_name_is_refused(db):
    since = head_seq()
    with pytest.raises(KeyError):
        events.record(None, "NO_SUCH_ACTION")
    assert events_after(since) == []
