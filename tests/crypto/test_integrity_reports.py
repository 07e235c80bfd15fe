"""Integrity failures of fields: the `Withheld` marker and the INTEGRITY_FAILURE entries.

The entry must outlive the request's transaction: a page whose transaction rolls back after
meeting a broken value still leaves its record, written once, in its own transaction.
"""

from __future__ import annotations

import datetime
import json
import pickle

import pytest
from django.db import connection, transaction
from django.template import engines

from cases.models import Defender
from shelter.audit import Action
from shelter.audit.models import AuditEvent
from shelter.audit.selectors import integrity_failures
from shelter.crypto.fields import Sealed
from shelter.crypto.integrity import Withheld, integrity_scope, is_withheld
from tests.factories import MARKER, make_marked_defender


def raw(pk, column: str) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM cases_defender WHERE id = %s",  # noqa: S608
                       [Defender._meta.pk.get_db_prep_value(pk, connection)])
        return bytes(cursor.fetchone()[0])


def break_value(pk, column: str = "legal_name") -> bytes:
    blob = bytearray(raw(pk, column))
    blob[-1] ^= 0x01
    Defender.objects.filter(pk=pk).update(**{column: Sealed(bytes(blob))})
    return bytes(blob)


def failures(since: int = 0) -> list[AuditEvent]:
    """INTEGRITY_FAILURE entries after seq `since` (the log is append-only: earlier tests'
    entries stay)."""
    return list(AuditEvent.objects.filter(action=int(Action.INTEGRITY_FAILURE), seq__gt=since)
                .order_by("seq"))


def head() -> int:
    last = AuditEvent.objects.order_by("-seq").first()
    return last.seq if last else 0


@pytest.mark.django_db(transaction=True)
def test_a_failure_met_in_a_rolled_back_transaction_is_still_recorded():
    defender = make_marked_defender()
    break_value(defender.pk)
    since = head()
    with integrity_scope(), pytest.raises(RuntimeError):
        with transaction.atomic():
            assert is_withheld(Defender.objects.get(pk=defender.pk).legal_name)
            assert is_withheld(Defender.objects.get(pk=defender.pk).legal_name)  # reloaded
            raise RuntimeError("the page fails after reading the value")
    [event] = failures(since)
    assert (event.target_type, event.target_id) == ("cases.defender", str(defender.pk))
    assert event.facts == {"kind": "field", "reason": "tag", "column": "legal_name"}


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_failure_is_written_at_once():
    defender = make_marked_defender()
    break_value(defender.pk, "phone")
    since = head()
    with integrity_scope():
        assert is_withheld(Defender.objects.get(pk=defender.pk).phone)
        assert [e.facts["column"] for e in failures(since)] == ["phone"]


@pytest.mark.django_db
def test_a_loaded_value_is_tried_and_recorded_once():
    defender = make_marked_defender()
    break_value(defender.pk)
    fresh = Defender.objects.get(pk=defender.pk)
    assert fresh.legal_name is fresh.legal_name
    assert len(failures()) == 1


@pytest.mark.django_db
def test_assigning_the_marker_or_saving_the_row_keeps_the_stored_ciphertext():
    defender = make_marked_defender()
    broken = break_value(defender.pk)
    fresh = Defender.objects.get(pk=defender.pk)
    withheld = fresh.legal_name
    fresh.legal_name = withheld
    fresh.legal_name = Withheld()
    fresh.phone = "+31 6 0000 0000"
    fresh.save()
    assert raw(defender.pk, "legal_name") == broken
    assert Defender.objects.get(pk=defender.pk).phone == "+31 6 0000 0000"


@pytest.mark.django_db
def test_the_selector_lists_recent_failures_newest_first():
    first, second = make_marked_defender(code_name="A"), make_marked_defender(code_name="B")
    break_value(first.pk)
    break_value(second.pk)
    _ = Defender.objects.get(pk=first.pk).legal_name
    _ = Defender.objects.get(pk=second.pk).legal_name
    events = list(integrity_failures())[:2]
    assert [e.target_id for e in events] == [str(second.pk), str(first.pk)]
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=1)
    assert not integrity_failures(since=later).exists()
    assert integrity_failures(since=events[-1].time).count() >= 2


def test_the_marker_reads_as_the_message_everywhere_text_goes():
    value = Withheld("owner")
    message = str(Withheld())
    template = engines["django"].from_string(
        '{{ v|default:"-" }}|{{ v.details|default:"-" }}|{{ v|linebreaksbr }}|'
        '{% for p in v %}[{{ p }}]{% endfor %}')
    rendered = template.render({"v": value})
    assert rendered.count(message) == 4 and MARKER not in rendered
    assert json.loads(json.dumps({"v": value})) == {"v": message}
    assert f"{value:%Y-%m-%d}" == message and value.get("status") is value
    copy = pickle.loads(pickle.dumps(value))  # noqa: S301 (our own bytes)
    assert is_withheld(copy) and copy.reason == "owner"
    assert "\n".join(value) == message and (value or {}) is value


@pytest.mark.django_db(transaction=True)
def test_the_middleware_writes_a_failure_whose_request_rolled_back():
    from django.test import RequestFactory

    from shelter.crypto.middleware import KeyCacheMiddleware

    defender = make_marked_defender()
    break_value(defender.pk, "email")
    since = head()

    def view(request):
        with transaction.atomic():
            _ = Defender.objects.get(pk=defender.pk).email
            assert failures(since) == []  # not inside the page's transaction
            raise RuntimeError("the page fails")

    with pytest.raises(RuntimeError):
        KeyCacheMiddleware(view)(RequestFactory().get("/"))
    [event] = failures(since)
    assert event.facts == {"kind": "field", "reason": "tag", "column": "email"}
