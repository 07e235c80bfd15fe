"""A case officer records a passport and visa, the insurance and the outbound flight, sees the
"In residence" checks block the stage change while the flight is still to book, books it and
moves the case on; axe-core checks every page on the way (Chromium; skipped without it)."""

from __future__ import annotations

import datetime
import re

import pytest

from cases.models import Case
from tests.factories import make_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer(db):
    from shelter.accounts.models import Organisation
    from shelter.accounts.roles import Role
    from tests.factories import make_user

    organisation = Organisation.objects.create(name="Gemeente", kind="municipality")
    return make_user("olga@example.org", Role.CASE_OFFICER, organisation)


def test_logistics_journey(a11y_page, live_server, officer):
    from tests.browser.test_case_officer_journey import sign_in

    page = a11y_page.page
    arrival = datetime.date.today() - datetime.timedelta(days=1)
    departure = arrival + datetime.timedelta(days=60)
    case = make_case(officer, officer=officer, planned_arrival=arrival,
                     planned_departure=departure)
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.PREPARING_ARRIVAL,
                                           actual_arrival=arrival)
    sign_in(a11y_page, live_server, officer)
    page.goto(f"/cases/{case.pk}/")
    a11y_page.check()
    page.get_by_role("navigation", name="Case sections").get_by_role(
        "link", name="Logistics").click()
    a11y_page.check()

    page.get_by_role("link", name="Change passport and visa").first.click()
    a11y_page.check()
    page.get_by_label("Passport issued by").select_option(label="Colombia")
    page.get_by_label("Passport issued on").fill("2021-03-01")
    page.get_by_label("Passport expires on").fill("2031-03-01")
    page.get_by_label("Visa type").select_option(label="Short-stay visa (C)")
    page.get_by_label("Visa decision").select_option(label="Granted")
    page.get_by_label("Visa valid from").fill(arrival.isoformat())
    page.get_by_label("Visa valid until").fill(departure.isoformat())
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/cases/{case.pk}/logistics/")
    a11y_page.check()

    page.get_by_role("link", name="Change insurance").first.click()
    a11y_page.check()
    page.get_by_label("Insurance provider").fill("Demo Reisverzekering")
    page.get_by_label("Insurance policy number").fill("POL-77")
    page.get_by_label("Insured from").fill(arrival.isoformat())
    page.get_by_label("Insured until").fill(departure.isoformat())
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/cases/{case.pk}/logistics/")

    page.get_by_role("link", name="Add a journey").click()
    a11y_page.check()
    page.get_by_label("Date").fill(arrival.isoformat())
    page.get_by_label("From", exact=True).fill("bog")
    page.get_by_label("To", exact=True).fill("ams")
    page.get_by_label("Booking reference").fill("QX12AB")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/cases/{case.pk}/logistics/")
    a11y_page.check()
    assert "BOG → AMS" in page.content()

    page.goto(f"/cases/{case.pk}/stage/")
    page.get_by_label("New stage").select_option(label="In residence")
    page.get_by_role("button", name="Change stage").click()
    a11y_page.check()
    assert "The defender: the outbound journey is not booked." in page.content()
    assert Case.objects.get(pk=case.pk).stage == "preparing_arrival"

    page.goto(f"/cases/{case.pk}/logistics/")
    page.get_by_role("link", name=re.compile(r"^Change\W+Outbound")).click()
    a11y_page.check()
    page.get_by_label("Status").select_option(label="Booked")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/cases/{case.pk}/logistics/")
    page.goto(f"/cases/{case.pk}/stage/")
    page.get_by_label("New stage").select_option(label="In residence")
    page.get_by_role("button", name="Change stage").click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    a11y_page.check()
    assert Case.objects.get(pk=case.pk).stage == "in_residence"
