"""A value whose ciphertext fails authentication is withheld on every page, never a 500.

The ciphertexts are tampered with in the database itself (a flipped byte; values swapped
between two rows or two columns, which the table|column|row binding makes fail). Each page
answers 200 with "integrity error, value withheld", shows no plaintext of another row, and the
access log holds one INTEGRITY_FAILURE entry per value, with ids and codes only.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.urls import reverse

from cases.models import Case, Defender
from shelter.audit import Action
from shelter.crypto.fields import Sealed
from tests.factories import make_case, recorded

MESSAGE = "integrity error, value withheld"


def raw(model, pk, column: str) -> bytes:
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} "  # noqa: S608
                       "WHERE id = %s", [model._meta.pk.get_db_prep_value(pk, connection)])
        return bytes(cursor.fetchone()[0])


def write_raw(model, pk, column: str, value: bytes) -> None:
    model.objects.filter(pk=pk).update(**{column: Sealed(value)})


def flip_byte(model, pk, column: str) -> None:
    blob = bytearray(raw(model, pk, column))
    blob[-3] ^= 0x01
    write_raw(model, pk, column, bytes(blob))


def swap_rows(model, first, second, column: str) -> None:
    a, b = raw(model, first, column), raw(model, second, column)
    write_raw(model, first, column, b)
    write_raw(model, second, column, a)


def swap_columns(model, pk, first: str, second: str) -> None:
    a, b = raw(model, pk, first), raw(model, pk, second)
    write_raw(model, pk, first, b)
    write_raw(model, pk, second, a)


def failures(since: int) -> list:
    return recorded(since, Action.INTEGRITY_FAILURE)


def assert_ids_only(event, target, column: str, reason: str = "tag") -> None:
    assert (event.target_type, event.target_id) == (target._meta.label_lower, str(target.pk))
    assert event.facts == {"kind": "field", "reason": reason, "column": column}


@pytest.fixture
def other(carla):
    """A second case whose defender's values must never show on the first one's pages."""
    return make_case(carla, code_name="Kestrel", legal_name="Zofia Kowalska-Other",
                     passport_number="PL-99 888")


def test_a_flipped_byte_shows_withheld_on_the_profile_and_is_recorded_once(
        as_user, carla, case, audit_since):
    flip_byte(Defender, case.defender_id, "legal_name")
    response = as_user(carla).get(reverse("cases:profile", args=[case.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert MESSAGE in page and "Ana María Pérez" not in page
    assert "NL-12 345" in page  # the other values of the row still read
    [event] = failures(audit_since)
    assert_ids_only(event, case.defender, "legal_name")
    assert event.actor_id == carla.pk and event.outcome == "rejected"
    assert "Ana" not in json.dumps(event.facts)


def test_a_value_swapped_from_another_row_is_withheld_and_leaks_nothing(
        as_user, carla, case, other, audit_since):
    swap_rows(Defender, case.defender_id, other.defender_id, "legal_name")
    first = as_user(carla).get(reverse("cases:profile", args=[case.pk])).content.decode()
    second = as_user(carla).get(reverse("cases:profile", args=[other.pk])).content.decode()
    assert MESSAGE in first and MESSAGE in second
    assert "Zofia" not in first and "Ana María" not in second
    events = failures(audit_since)
    assert {e.target_id for e in events} == {str(case.defender_id), str(other.defender_id)}
    assert {e.facts["column"] for e in events} == {"legal_name"}


def test_values_swapped_between_two_columns_are_both_withheld(as_user, carla, case,
                                                              audit_since):
    swap_columns(Defender, case.defender_id, "phone", "passport_number")
    response = as_user(carla).get(reverse("cases:profile", args=[case.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and page.count(MESSAGE) == 2
    assert "NL-12 345" not in page and "+57 300" not in page
    assert {e.facts["column"] for e in failures(audit_since)} == {"phone", "passport_number"}


def test_withheld_json_values_render_in_the_earlier_notes_of_the_logistics_page(
        as_user, carla, case, audit_since):
    from cases import services

    services.case_update(case=case, acting_user=carla, visa_status={"status": "granted",
                         "notes": "Sticker in passport"}, travel={"details": "KLM 123"},
                         accompanying_persons=["Daughter Lucía"], risk_notes="Followed")
    swap_columns(Case, case.pk, "visa_status", "travel")
    flip_byte(Case, case.pk, "accompanying_persons")
    response = as_user(carla).get(reverse("cases:logistics", args=[case.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count(MESSAGE) >= 3
    for secret in ("Sticker", "KLM 123", "Lucía"):
        assert secret not in page
    assert {e.facts["column"] for e in failures(audit_since)} == {
        "visa_status", "travel", "accompanying_persons"}


def test_a_broken_date_of_birth_renders_as_withheld(as_user, carla, case):
    flip_byte(Defender, case.defender_id, "date_of_birth")
    page = as_user(carla).get(reverse("cases:profile", args=[case.pk])).content.decode()
    assert MESSAGE in page and "1985-04-12" not in page


def test_list_search_and_export_do_not_fail(as_user, as_fresh_user, carla, case, other,
                                            audit_since):
    swap_rows(Defender, case.defender_id, other.defender_id, "legal_name")
    flip_byte(Defender, case.defender_id, "passport_number")
    client = as_user(carla)
    assert client.get(reverse("cases:list")).status_code == 200
    found = client.post(reverse("cases:search"), {"query": "Heron"})
    assert found.status_code == 200 and b"Heron" in found.content
    export = as_fresh_user(carla).post(reverse("cases:export", args=[case.pk]))
    assert export.status_code == 200
    data = json.loads(export.content)
    assert data["defender"]["legal_name"] == MESSAGE
    assert data["defender"]["passport_number"] == MESSAGE
    assert "Zofia" not in export.content.decode()
    assert {e.facts["column"] for e in failures(audit_since)} >= {"legal_name",
                                                                  "passport_number"}


def test_each_value_is_recorded_once_per_request_and_again_on_the_next(as_user, carla, case,
                                                                      audit_since):
    flip_byte(Defender, case.defender_id, "legal_name")
    client = as_user(carla)
    client.get(reverse("cases:defender_edit", args=[case.pk]))  # reads it more than once
    assert len(failures(audit_since)) == 1
    client.get(reverse("cases:profile", args=[case.pk]))
    assert len(failures(audit_since)) == 2


def test_the_edit_form_shows_withheld_and_never_saves_over_the_ciphertext(
        as_user, carla, case, audit_since):
    flip_byte(Defender, case.defender_id, "legal_name")
    broken = raw(Defender, case.defender_id, "legal_name")
    client = as_user(carla)
    url = reverse("cases:defender_edit", args=[case.pk])
    form = client.get(url)
    assert form.status_code == 200
    page = form.content.decode()
    assert "Integrity error, value withheld" in page and 'name="legal_name"' not in page
    response = client.post(url, {"code_name": "Heron", "legal_name": MESSAGE,
                                 "passport_number": "NL-12 345", "phone": "+31 6 1234 5678",
                                 "country_of_activity": "CO"})
    assert response.status_code == 302
    assert raw(Defender, case.defender_id, "legal_name") == broken  # evidence kept as it was
    fresh = Defender.objects.get(pk=case.defender_id)
    assert fresh.phone == "+31 6 1234 5678"
    [update] = recorded(audit_since, Action.CASE_UPDATE)
    assert "legal_name" not in update.facts["fields"]


def test_the_residency_form_leaves_a_withheld_legacy_value_alone(as_user, carla, case):
    from cases import services

    services.case_update(case=case, acting_user=carla, travel={"details": "KLM 123"})
    flip_byte(Case, case.pk, "travel")
    broken = raw(Case, case.pk, "travel")
    client = as_user(carla)
    url = reverse("cases:case_edit", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"risk_level": "medium", "travel": MESSAGE,
                                 "return_plan": "Back home"})
    assert response.status_code == 302
    assert raw(Case, case.pk, "travel") == broken
    assert Case.objects.get(pk=case.pk).return_plan == "Back home"
