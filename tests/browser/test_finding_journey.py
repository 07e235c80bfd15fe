"""Finding a defender and a case, in English and in Dutch: search by given name, by family
name and by the beginning of a code name (the right cases, and not the others); sort the list
by a column; filter by country by its name in the page's language ("Kenya" / "Kenia") with the
filtered list as a bookmarkable address that holds no personal data; an unknown country is
refused with its message; country names and dates in words on the list and the profile; a date
typed the page's way. axe-core checks every page at 1280 and 390 px."""

from __future__ import annotations

import datetime
import re

import pytest

from cases import services
from shelter.accounts.roles import Role
from tests.factories import browser_page, make_case, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"locale": "en-GB", "search": "Name, passport number or code name", "go": "Search",
           "code": "Code name", "country": "Country of activity", "apply": "Apply filters",
           "kenya": "Kenya", "arrival_shown": "5 January 2027",
           "typed": "05/01/2027", "pattern": "dd/mm/yyyy", "new": "06/02/2027",
           "new_shown": "6 February 2027", "unknown": "Unknown country",
           "arrival": "Planned arrival", "save": "Save"},
    "nl": {"locale": "nl-NL", "search": "Naam, paspoortnummer of codenaam", "go": "Zoeken",
           "code": "Codenaam", "country": "Land van werkzaamheden",
           "apply": "Filters toepassen", "kenya": "Kenia",
           "arrival_shown": "5 januari 2027", "typed": "05-01-2027", "pattern": "dd-mm-jjjj",
           "new": "06-02-2027", "new_shown": "6 februari 2027", "unknown": "Onbekend land",
           "arrival": "Geplande aankomst", "save": "Opslaan"},
}


@pytest.fixture
def world(db):
    from shelter.accounts.models import Organisation

    municipality = Organisation.objects.create(name="Gemeente", kind="municipality")
    officer = make_user("olga@example.org", Role.CASE_OFFICER, municipality)
    cases = {}
    for code, name, country, arrival in [
            ("Falcon", "Amina Wanjiru", "KE", datetime.date(2027, 1, 5)),
            ("Falconet", "Amani Kamau", "KE", datetime.date(2027, 4, 1)),
            ("Kestrel", "Grace Otieno", "CO", datetime.date(2027, 3, 1))]:
        case = make_case(officer, code_name=code, legal_name=name, passport_number=code,
                         officer=officer, planned_arrival=arrival)
        services.defender_update(defender=case.defender, acting_user=officer,
                                 country_of_activity=country)
        cases[code] = case
    return officer, cases


def codes_in_table(page) -> list[str]:
    return [cell.inner_text().strip()
            for cell in page.locator("table tbody th[scope=row]").all()]


def search(page, a11y, words, query) -> list[str]:
    page.get_by_label(words["search"]).fill(query)
    page.get_by_role("button", name=words["go"], exact=True).click()
    page.wait_for_url("**/cases/search/")
    a11y.check()
    assert query.lower() not in page.url.lower()
    return sorted(codes_in_table(page))


def code_header(page, words):
    return page.get_by_role("columnheader", name=re.compile(words["code"]))


@pytest.mark.parametrize("language", ["en", "nl"])
def test_finding_journey(chromium, live_server, world, language):
    officer, cases = world
    words = WORDS[language]
    a11y = browser_page(chromium, live_server, officer, language)
    page, context = a11y.page, a11y.page.context
    try:
        page.goto("/cases/")
        a11y.check()
        assert page.locator("html").get_attribute("lang") == language

        # Search: any whole name token, or the beginning of a code name; never part of a name.
        assert search(page, a11y, words, "Amina") == ["Falcon"]
        assert search(page, a11y, words, "wanjiru") == ["Falcon"]
        assert search(page, a11y, words, "Falc") == ["Falcon", "Falconet"]
        assert search(page, a11y, words, "Ami") == []

        # Sort by code name, then the other way round.
        page.goto("/cases/")
        a11y.check()
        code_header(page, words).get_by_role("link").click()
        page.wait_for_url("**/cases/?sort=code_name")
        a11y.check()
        assert codes_in_table(page) == ["Falcon", "Falconet", "Kestrel"]
        assert code_header(page, words).get_attribute("aria-sort") == "ascending"
        code_header(page, words).get_by_role("link").click()
        page.wait_for_url("**/cases/?sort=-code_name")
        a11y.check()
        assert codes_in_table(page) == ["Kestrel", "Falconet", "Falcon"]
        assert code_header(page, words).get_attribute("aria-sort") == "descending"

        # Filter by the country's name in the page's language: the address holds the filter.
        page.get_by_label(words["country"]).fill(words["kenya"])
        page.get_by_role("button", name=words["apply"]).click()
        page.wait_for_url(re.compile(rf"country={words['kenya']}"))
        a11y.check()
        assert codes_in_table(page) == ["Falconet", "Falcon"]  # still sorted descending
        assert "sort=-code_name" in page.url
        bookmark = page.url
        for secret in ("Amina", "Wanjiru", "Kamau", "Otieno"):
            assert secret not in bookmark
        page.goto(bookmark)  # the bookmark shows the same list
        a11y.check()
        assert codes_in_table(page) == ["Falconet", "Falcon"]
        table = page.locator("table tbody").inner_text()
        assert words["kenya"] in table and words["arrival_shown"] in table
        assert "2027-01-05" not in table and "\tKE\t" not in table

        # An unknown country is refused with its message, and no rows.
        page.get_by_label(words["country"]).fill("Atlantis")
        page.get_by_role("button", name=words["apply"]).click()
        page.wait_for_url(re.compile("country=Atlantis"))
        a11y.check()
        assert words["unknown"] in page.content()
        assert codes_in_table(page) == []

        # Country and dates in words on the profile.
        falcon = cases["Falcon"]
        page.goto(f"/cases/{falcon.pk}/")
        a11y.check()
        profile = page.locator("main").inner_text()
        assert words["kenya"] in profile and words["arrival_shown"] in profile
        assert "2027-01-05" not in profile

        # A date typed the page's way.
        page.goto(f"/cases/{falcon.pk}/residency/edit/")
        a11y.check()
        arrival = page.get_by_label(words["arrival"]).first
        assert arrival.get_attribute("type") == "text"
        assert arrival.input_value() == words["typed"]
        assert arrival.get_attribute("placeholder") == words["pattern"]
        arrival.fill(words["new"])
        page.get_by_role("button", name=words["save"]).click()
        page.wait_for_url(f"**/cases/{falcon.pk}/residency/")
        a11y.check()
        assert words["new_shown"] in page.locator("main").inner_text()
        falcon.refresh_from_db()
        assert falcon.planned_arrival == datetime.date(2027, 2, 6)
        a11y.assert_all_checked()
    finally:
        context.close()
