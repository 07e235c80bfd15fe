"""Blind indexes: equal after normalisation, separated by purpose, kept in step on save."""

from __future__ import annotations

import pytest

from cases.models import Defender
from shelter.crypto.blind_index import blind_index, blind_index_hex, normalise
from tests.factories import make_marked_defender


@pytest.mark.parametrize("variant", ["José María López", "jose maria lopez", "JOSÉ  MARÍA\tLÓPEZ",
                                     "Jose\u0301 Maria Lopez", "ＪＯＳＥ ＭＡＲＩＡ ＬＯＰＥＺ"])
def test_case_accents_width_and_spacing_do_not_matter(variant):
    assert blind_index("defender.legal_name", variant) == blind_index(
        "defender.legal_name", "José María López")


def test_different_names_differ():
    assert blind_index("p", "Ana Pérez") != blind_index("p", "Ana Perea")


def test_purposes_are_separated():
    assert blind_index("defender.legal_name", "X123") != blind_index("defender.passport", "X123")


def test_index_is_truncated_to_eight_bytes():
    assert len(blind_index("p", "v")) == 8 and len(blind_index_hex("p", "v")) == 16


def test_passport_normalisation_ignores_punctuation():
    assert normalise("nl-12 34.5", alnum_only=True) == "nl12345"


@pytest.mark.django_db
def test_search_by_legal_name_and_passport_finds_the_defender():
    defender = make_marked_defender(code_name="Kite")
    by_name = Defender.objects.filter(
        legal_name_bidx=blind_index_hex("defender.legal_name", "ana zqxjmarker perez"))
    by_passport = Defender.objects.filter(passport_bidx=blind_index_hex(
        "defender.passport_number", "pzqxjmarker", alnum_only=True))
    assert list(by_name) == [defender] and list(by_passport) == [defender]


@pytest.mark.django_db
def test_index_follows_a_changed_name_and_survives_unrelated_saves():
    defender = make_marked_defender(code_name="Wren")
    fresh = Defender.objects.get(pk=defender.pk)
    fresh.code_name = "Wren2"
    fresh.save()
    assert Defender.objects.get(pk=defender.pk).legal_name_bidx == defender.legal_name_bidx
    fresh.legal_name = "Maria Silva"
    fresh.save()
    assert Defender.objects.get(pk=defender.pk).legal_name_bidx == blind_index_hex(
        "defender.legal_name", "maria silva")


@pytest.mark.django_db
def test_shredding_a_defender_removes_its_blind_indexes():
    from shelter.crypto.api import shred_defender_key
    from shelter.crypto.exceptions import KeyShredded

    defender = make_marked_defender(code_name="Lark")
    shred_defender_key(defender.pk)
    assert not Defender.objects.filter(
        legal_name_bidx=blind_index_hex("defender.legal_name", "ana zqxjmarker perez")).exists()
    fresh = Defender.objects.get(pk=defender.pk)
    assert fresh.legal_name_bidx is None and fresh.passport_bidx is None
    with pytest.raises(KeyShredded):
        _ = fresh.legal_name
