"""The case list: sortable columns (whitelisted plain fields, aria-sort), the country filter by
name in the page's language or ISO code (an unknown one is a 400, never ignored), filters in the
address; countries and dates in words; date inputs typed the way the page's language writes
them."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from cases import services
from cases.forms import CaseForm
from cases.models import Case, Defender
from shelter.audit import Action
from tests.factories import make_case, recorded


@pytest.fixture
def listed(carla, olaf, otto):
    birds = {}
    for name, country, arrival, officer in [
            ("Bravo", "KE", datetime.date(2027, 1, 5), olaf),
            ("Alpha", "CO", datetime.date(2027, 3, 1), otto),
            ("Charlie", "KE", None, None)]:
        case = make_case(carla, code_name=name, legal_name=f"{name} Person",
                         passport_number=name, officer=officer, planned_arrival=arrival)
        services.defender_update(defender=case.defender, acting_user=carla,
                                 country_of_activity=country)
        birds[name] = case
    Case.objects.filter(pk=birds["Charlie"].pk).update(stage=Case.Stage.UNDER_REVIEW)
    return birds


def rows(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', page)


def get(client, query: str = "", language: str = "en"):
    return client.get(reverse("cases:list") + query, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize(("sort", "expected"), [
    ("code_name", ["Alpha", "Bravo", "Charlie"]),
    ("-code_name", ["Charlie", "Bravo", "Alpha"]),
    ("arrival", ["Bravo", "Alpha", "Charlie"]),        # no date: last
    ("-arrival", ["Alpha", "Bravo", "Charlie"]),       # no date: last either way
    ("stage", ["Alpha", "Bravo", "Charlie"]),          # nominated before under review
    ("-stage", ["Charlie", "Alpha", "Bravo"]),
])
def test_the_list_sorts_by_a_whitelisted_column(as_user, olaf, listed, sort, expected):
    response = get(as_user(olaf), f"?sort={sort}")
    assert response.status_code == 200
    assert rows(response.content.decode()) == expected


@pytest.mark.parametrize("sort", ["legal_name", "defender__legal_name", "-passport", "pk;drop"])
def test_an_unknown_sort_key_is_a_400_with_a_message_and_no_rows(as_user, olaf, listed, sort):
    response = get(as_user(olaf), f"?sort={sort}")
    assert response.status_code == 400
    page = response.content.decode()
    assert "This list cannot be sorted that way." in page and rows(page) == []


def test_headers_link_to_their_sort_and_mark_the_current_one(as_user, olaf, listed):
    page = get(as_user(olaf), "?stage=nominated&sort=code_name").content.decode()
    assert re.search(r'<th scope="col" aria-sort="ascending"><a class="sort-link" '
                     r'href="\?stage=nominated&amp;sort=-code_name">Code name', page)
    assert 'href="?stage=nominated&amp;sort=arrival"' in page
    assert page.count("aria-sort=") == 1
    page = get(as_user(olaf), "?sort=-code_name").content.decode()
    assert 'aria-sort="descending"' in page and 'href="?sort=code_name"' in page


@pytest.mark.parametrize(("query", "language"), [
    ("country=Kenia", "nl"), ("country=kenia", "nl"), ("country=Kenya", "en"),
    ("country=Kenya", "nl"), ("country=KE", "en"), ("country=ke", "nl"),
])
def test_the_country_filter_takes_the_name_in_the_pages_language_or_the_code(
        as_user, olaf, listed, query, language):
    response = get(as_user(olaf), f"?{query}&sort=code_name", language)
    assert response.status_code == 200
    assert rows(response.content.decode()) == ["Bravo", "Charlie"]


@pytest.mark.parametrize(("language", "message"), [
    ("en", "Unknown country"), ("nl", "Onbekend land")])
def test_an_unknown_country_is_a_400_with_its_message_never_an_unfiltered_list(
        as_user, olaf, listed, audit_since, language, message):
    response = get(as_user(olaf), "?country=Atlantis", language)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and rows(page) == []
    assert recorded(audit_since, Action.CASE_LIST) == []  # nothing was listed


def test_the_filter_form_is_a_get_form_and_keeps_the_sort(as_user, olaf, listed):
    page = get(as_user(olaf), "?sort=-arrival").content.decode()
    form = re.search(r'<form method="get" action="/cases/"[^>]*>(.*?)</form>', page, re.S)
    assert form is not None
    assert '<input type="hidden" name="sort" value="-arrival"' in form.group(1)
    assert 'name="query"' not in form.group(1)  # the name search is elsewhere, by POST
    search = re.search(r'<form method="post" action="/cases/search/"', page)
    assert search is not None


def test_countries_and_dates_are_in_words_in_the_pages_language(as_user, olaf, listed):
    client = as_user(olaf)
    english = get(client, "?sort=code_name").content.decode()
    assert "<td>Kenya</td>" in english and "<td>Colombia</td>" in english
    assert '<time datetime="2027-01-05">5 January 2027</time>' in english
    dutch = get(client, "?sort=code_name", "nl").content.decode()
    assert "<td>Kenia</td>" in dutch and '<time datetime="2027-01-05">5 januari 2027</time>' \
        in dutch
    profile = reverse("cases:profile", args=[listed["Bravo"].pk])
    page = client.get(profile, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "<dd>Kenia</dd>" in page and "5 januari 2027" in page and "2027-01-05" not in page
    page = client.get(profile, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<dd>Kenya</dd>" in page and "5 January 2027" in page


def test_the_country_of_a_defender_is_chosen_by_its_name_and_stored_as_its_code(
        as_user, olaf, listed):
    client = as_user(olaf)
    url = reverse("cases:defender_edit", args=[listed["Alpha"].pk])
    form = client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert '<option value="KE">Kenia</option>' in form
    assert '<option value="CO" selected>Colombia</option>' in form
    response = client.post(url, {"code_name": "Alpha", "legal_name": "Alpha Person",
                                 "country_of_activity": "KE"}, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 302
    defender = Defender.objects.get(pk=listed["Alpha"].defender_id)
    assert str(defender.country_of_activity) == "KE"
    assert Defender.objects.filter(pk=defender.pk, country_of_activity="KE").exists()


@pytest.mark.parametrize(("language", "typed", "shown", "pattern"), [
    ("nl", "05-01-2027", "05-01-2027", "dd-mm-jjjj"),
    ("nl", "5-1-2027", "05-01-2027", "dd-mm-jjjj"),
    ("nl", "2027-01-05", "05-01-2027", "dd-mm-jjjj"),
    ("en", "05/01/2027", "05/01/2027", "dd/mm/yyyy"),
    ("en", "2027-01-05", "05/01/2027", "dd/mm/yyyy"),
])
def test_date_inputs_follow_the_language(language, typed, shown, pattern):
    with translation.override(language):
        form = CaseForm(data={"planned_arrival": typed, "risk_level": "medium"},
                        officers=None)
        form.fields.pop("assigned_officer")
        form.is_valid()
        assert form.cleaned_data["planned_arrival"] == datetime.date(2027, 1, 5)
        assert 'type="text"' in str(form["planned_arrival"])
        html = str(CaseForm(initial={"planned_arrival": datetime.date(2027, 1, 5)},
                            officers=None)["planned_arrival"])
        assert f'value="{shown}"' in html
        assert f'placeholder="{pattern}"' in html
        assert f"{pattern}</span>" in html and 'aria-describedby="' in html


def test_english_dates_are_day_first_never_american():
    with translation.override("en"):
        form = CaseForm(data={"planned_arrival": "12/01/2027", "risk_level": "medium"},
                        officers=None)
        form.fields.pop("assigned_officer")
        form.is_valid()
        assert form.cleaned_data["planned_arrival"] == datetime.date(2027, 1, 12)


def test_a_date_in_no_known_form_is_an_error():
    with translation.override("nl"):
        form = CaseForm(data={"planned_arrival": "januari 5", "risk_level": "medium"},
                        officers=None)
        form.fields.pop("assigned_officer")
        assert not form.is_valid() and "planned_arrival" in form.errors
