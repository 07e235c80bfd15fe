"""A case officer registers a unit, offers it, books it for a case, meets a clash and reads the
schedule; axe-core checks every page on the way (Chromium; skipped without it)."""

from __future__ import annotations

import datetime

import pytest

from housing import services
from housing.models import Unit
from tests.factories import make_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer(db):
    from shelter.accounts.models import Organisation
    from shelter.accounts.roles import Role
    from tests.factories import make_user

    organisation = Organisation.objects.create(name="Gemeente", kind="municipality")
    return make_user("olga@example.org", Role.CASE_OFFICER, organisation)


def test_housing_journey(a11y_page, live_server, officer):
    from tests.browser.test_case_officer_journey import sign_in

    page = a11y_page.page
    start = datetime.date.today() + datetime.timedelta(days=10)
    first = make_case(officer, code_name="Heron")
    second = make_case(officer, code_name="Kestrel", legal_name="Bilal Demo", passport_number="2")
    sign_in(a11y_page, live_server, officer)
    page.goto("/housing/units/new/")
    a11y_page.check()
    page.get_by_label("Code name").fill("Linden")
    page.get_by_label("Capacity (people)").fill("2")
    page.get_by_label("Turnover buffer (days)").fill("1")
    page.get_by_label("Step-free entrance").check()
    page.get_by_label("Address").fill("Demostraat 1, Havenstad")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/housing/units/*/")
    a11y_page.check()
    page.get_by_label("From").first.fill(start.isoformat())
    page.get_by_label("Until").first.fill((start + datetime.timedelta(days=120)).isoformat())
    page.get_by_role("button", name="Add period").click()
    a11y_page.check()

    services.booking_create(unit=Unit.objects.get(),
                            case=first, start=start, end=start + datetime.timedelta(days=30),
                            acting_user=officer)
    page.goto(f"/housing/case/{second.pk}/")
    a11y_page.check()
    page.get_by_label("Unit", exact=True).select_option(label="Linden")
    page.get_by_label("Arrival").fill((start + datetime.timedelta(days=30)).isoformat())
    page.get_by_label("Departure").fill((start + datetime.timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Book").click()
    a11y_page.check()
    assert "turnover" in page.content() and "Heron" not in page.content()
    page.get_by_label("Arrival").fill((start + datetime.timedelta(days=31)).isoformat())
    page.get_by_role("button", name="Book").click()
    page.wait_for_url(f"**/housing/case/{second.pk}/")
    a11y_page.check()

    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Housing").click()
    a11y_page.check()
    for tab in ("Occupancy", "Occupancy per month", "Find a unit", "Units"):
        page.get_by_role("navigation", name="Housing pages").get_by_role(
            "link", name=tab, exact=True).click()
        a11y_page.check()
    page.get_by_role("navigation", name="Housing pages").get_by_role(
        "link", name="Schedule").click()
    page.get_by_role("link", name="Next month").click()
    a11y_page.check()
    assert "Heron" in page.content()  # its stay always reaches into next month
