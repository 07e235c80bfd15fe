"""Encrypted model fields: lazy decryption, binding to row and column, refusal of plaintext."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from cases.models import Case, Defender, Note
from shelter.crypto.exceptions import CryptoError
from shelter.crypto.fields import Sealed
from shelter.crypto.integrity import Withheld
from shelter.crypto.models import DataKey
from tests.factories import MARKER, make_marked_case, make_marked_defender, make_marked_note

pytestmark = pytest.mark.django_db


def raw(model, pk, column: str) -> bytes:
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s",
                       [model._meta.pk.get_db_prep_value(pk, connection)])
        return bytes(cursor.fetchone()[0])


def assert_withheld(value) -> None:
    """A value that fails authentication is withheld (never raised into a 500, never shown)."""
    assert isinstance(value, Withheld)
    assert value == str(Withheld()) and MARKER not in value


def write_raw(model, pk, column: str, value: bytes) -> None:
    model.objects.filter(pk=pk).update(**{column: Sealed(value)})


def test_values_round_trip_through_the_database(case):
    fresh = Case.objects.select_related("defender").get(pk=case.pk)
    assert fresh.defender.legal_name == f"Ana {MARKER} Pérez"
    assert fresh.defender.date_of_birth == datetime.date(1985, 4, 12)
    assert fresh.visa_status == {"status": MARKER}
    assert fresh.accompanying_persons == [{"name": MARKER}]


def test_stored_value_is_ciphertext_with_version_and_key_id(defender):
    blob = raw(Defender, defender.pk, "legal_name")
    key = DataKey.objects.get(purpose="defender", owner_id=defender.pk)
    assert blob[0] == 2 and blob[1:17] == key.id.bytes  # version 2: padded
    assert MARKER.encode() not in blob


def test_values_are_decrypted_only_when_read(defender):
    fresh = Defender.objects.get(pk=defender.pk)
    assert isinstance(fresh.__dict__["legal_name"], Sealed)
    assert not fresh.__dict__["phone"].opened
    assert fresh.code_name == "Heron"
    assert not fresh.__dict__["phone"].opened


def test_ciphertext_copied_to_another_row_fails(db):
    first = make_marked_defender(code_name="A")
    second = make_marked_defender("OTHER", code_name="B")
    write_raw(Defender, second.pk, "legal_name", raw(Defender, first.pk, "legal_name"))
    assert_withheld(Defender.objects.get(pk=second.pk).legal_name)


def test_ciphertext_copied_to_another_column_fails(defender):
    write_raw(Defender, defender.pk, "phone", raw(Defender, defender.pk, "email"))
    assert_withheld(Defender.objects.get(pk=defender.pk).phone)


def test_ciphertext_moved_to_another_cases_note_fails(defender):
    note_a = make_marked_note(make_marked_case(defender))
    note_b = make_marked_note(make_marked_case(defender), marker="B")
    write_raw(Note, note_b.pk, "body", raw(Note, note_a.pk, "body"))
    assert_withheld(Note.objects.get(pk=note_b.pk).body)


@pytest.mark.parametrize("position", [0, 5, 20, 30, -1])
def test_flipped_bit_fails(defender, position):
    blob = bytearray(raw(Defender, defender.pk, "legal_name"))
    blob[position] ^= 0x80
    write_raw(Defender, defender.pk, "legal_name", bytes(blob))
    assert_withheld(Defender.objects.get(pk=defender.pk).legal_name)


def test_truncated_ciphertext_fails(defender):
    write_raw(Defender, defender.pk, "legal_name", raw(Defender, defender.pk, "legal_name")[:-1])
    assert_withheld(Defender.objects.get(pk=defender.pk).legal_name)


def test_plaintext_cannot_be_written_by_update_or_used_in_filters(defender):
    with pytest.raises(CryptoError):
        Defender.objects.filter(pk=defender.pk).update(legal_name="Plain Text")
    with pytest.raises(CryptoError):
        list(Defender.objects.filter(legal_name="Plain Text"))


def test_unchanged_values_keep_their_ciphertext_on_save(defender):
    before = raw(Defender, defender.pk, "phone")
    fresh = Defender.objects.get(pk=defender.pk)
    assert fresh.phone.startswith("+31")
    fresh.full_clean()
    fresh.save()
    assert raw(Defender, defender.pk, "phone") == before


def test_in_place_change_of_json_value_is_saved(case):
    fresh = Case.objects.get(pk=case.pk)
    fresh.travel["flight"] = "KL 1234"
    fresh.save()
    assert Case.objects.get(pk=case.pk).travel == {"flight": "KL 1234"}


def test_deferred_and_refreshed_fields_load_ciphertext_lazily(defender):
    fresh = Defender.objects.only("code_name").get(pk=defender.pk)
    assert fresh.legal_name == f"Ana {MARKER} Pérez"
    fresh.refresh_from_db()
    assert not fresh.__dict__["legal_name"].opened
    assert fresh.legal_name == f"Ana {MARKER} Pérez"


def test_each_defender_and_case_has_its_own_key(case):
    other = make_marked_case(case.defender)
    keys = DataKey.objects.filter(owner_id__in=[case.pk, other.pk, case.defender.pk])
    assert {k.purpose for k in keys} == {"case", "defender"} and keys.count() == 3


def test_nothing_can_be_read_with_another_owners_key(db):
    first, second = make_marked_defender(code_name="A"), make_marked_defender(code_name="B")
    stolen = raw(Defender, first.pk, "legal_name")
    victim = Defender.objects.get(pk=second.pk)
    victim.__dict__["legal_name"] = Sealed(stolen)  # right row, wrong key
    assert_withheld(victim.legal_name)


def test_none_is_stored_as_null(db):
    defender = Defender.objects.create(code_name="Nil", legal_name="X")
    assert Defender.objects.get(pk=defender.pk).phone is None


def test_serializers_and_pickles_never_carry_plaintext(defender):
    import pickle

    from django.core import serializers

    fresh = Defender.objects.get(pk=defender.pk)
    assert fresh.legal_name.startswith("Ana")  # decrypted in memory
    assert MARKER not in serializers.serialize("json", [fresh])
    assert MARKER.encode() not in pickle.dumps(fresh)
    restored = pickle.loads(pickle.dumps(fresh))  # noqa: S301  (our own bytes)
    assert restored.legal_name == fresh.legal_name  # decrypts again from the ciphertext
