"""Search: whole name tokens, the full legal name and passport number (blind indexes), or the
beginning of a code name, by POST (tests/cases/test_search_name_tokens.py has the token cases)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import selectors
from cases.models import Case
from shelter.audit import Action
from tests.factories import make_case, recorded


@pytest.fixture
def cases(carla):
    return {
        "heron": make_case(carla, code_name="Heron", legal_name="Ana María Pérez",
                           passport_number="NL-12 345"),
        "kestrel": make_case(carla, code_name="Kestrel", legal_name="Ana Maria",
                             passport_number="AB998877"),
    }


@pytest.mark.parametrize("query", ["Ana María Pérez", "ana maria perez", "ANA  MARÍA PÉREZ",
                                   " anamariaperez ", "NL-12 345", "nl12345", "NL 12-345",
                                   "Heron", "heron"])
def test_search_finds_exact_matches_regardless_of_case_accents_and_spacing(olaf, cases, query):
    assert list(selectors.cases_search(olaf, query)) == [cases["heron"]]


@pytest.mark.parametrize("query", ["An", "Pére", "Ana María Pérez Jr", "NL-12", "12345",
                                   "eron", "", "   "])
def test_search_finds_nothing_for_partial_or_other_values(olaf, cases, query):
    assert list(selectors.cases_search(olaf, query)) == []


def test_search_finds_nothing_for_those_who_see_no_cases(pia, cases):
    assert list(selectors.cases_search(pia, "Ana María Pérez")) == []


def test_search_is_a_post_and_its_query_is_never_recorded(as_user, olaf, cases, audit_since):
    client = as_user(olaf)
    assert client.get(reverse("cases:search")).status_code == 405
    response = client.post(reverse("cases:search"), {"query": "ana maria perez"})
    assert response.status_code == 200
    assert b"Heron" in response.content and b"Kestrel" not in response.content
    # One line for the one data subject found: the case, its pseudonym, never the query.
    [event] = recorded(audit_since, Action.CASE_SEARCH)
    assert event.facts == {"results": 1, "row": 1, "rows": 1}
    assert event.case_id == str(cases["heron"].pk) and event.subject_id
    assert "ana" not in str(event.facts).lower()


def test_a_partner_without_shares_finds_nothing(as_user, pia, cases):
    response = as_user(pia).post(reverse("cases:search"), {"query": "Heron"})
    assert response.status_code == 200
    assert not any(reverse("cases:profile", args=[c.pk]).encode() in response.content
                   for c in Case.objects.all())


def test_punctuation_alone_never_matches_an_empty_passport_number(olaf, carla):
    make_case(carla, code_name="Dashes", legal_name="C", passport_number="---")
    assert list(selectors.cases_search(olaf, "!!!")) == []


def test_the_search_query_is_kept_out_of_error_reports(as_user, olaf, cases):
    response = as_user(olaf).post(reverse("cases:search"), {"query": "Heron"})
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"
