"""A case officer opens a case, moves it on, uploads and downloads a document and adds a note;
axe-core checks every page on the way."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings

from cases.models import Case
from tests.conftest import make_user, verified_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer(db):
    from shelter.accounts.models import Organisation
    from shelter.accounts.roles import Role

    organisation = Organisation.objects.create(name="Gemeente", kind="municipality")
    return make_user("olga@example.org", Role.CASE_OFFICER, organisation)


def sign_in(a11y_page, live_server, user) -> None:
    """Reuse a session that passed both factors (the sign-in journey is tested elsewhere)."""
    client = verified_client(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    a11y_page.page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                                         "value": cookie.value, "url": live_server.url}])


def test_case_officer_journey(a11y_page, live_server, officer, tmp_path):
    page = a11y_page.page
    sign_in(a11y_page, live_server, officer)
    page.goto("/cases/")
    a11y_page.check()
    page.get_by_role("link", name="Open a case").click()
    a11y_page.check()
    page.get_by_label("Code name").fill("Heron")
    page.get_by_label("Legal name").fill("Ana Demo Pérez")
    page.get_by_label("Passport number").fill("NL-12 345")
    arrival = datetime.date.today() + datetime.timedelta(days=40)
    page.get_by_label("Planned arrival").fill(arrival.isoformat())
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url("**/cases/*/")
    a11y_page.check()
    case = Case.objects.get()

    page.get_by_role("link", name="Change stage").click()
    a11y_page.check()
    page.get_by_label("New stage").select_option("under_review")
    page.get_by_role("button", name="Change stage").click()
    page.wait_for_url(f"**/cases/{case.pk}/")

    for tab in ("Residency", "Programme", "Tasks", "History", "Notes", "Documents"):
        page.get_by_role("navigation", name="Case sections").get_by_role("link", name=tab).click()
        a11y_page.check()

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 demo")
    page.get_by_label("File").set_input_files(str(scan))
    page.get_by_role("button", name="Upload").click()
    a11y_page.check()
    with page.expect_download() as download:
        page.get_by_role("link", name="scan.pdf", exact=True).click()
    assert open(download.value.path(), "rb").read() == b"%PDF-1.4 demo"

    page.get_by_role("navigation", name="Case sections").get_by_role("link", name="Notes").click()
    page.get_by_role("textbox", name="Note").fill("First contact went well.")
    page.get_by_role("button", name="Save note").click()
    a11y_page.check()
    assert "First contact went well." in page.content()

    page.goto("/cases/")
    page.get_by_label("Legal name, passport number or code name").fill("ana demo perez")
    page.get_by_role("button", name="Search").click()
    a11y_page.check()
    assert "ana demo perez" not in page.url
    assert page.get_by_role("link", name="Heron", exact=True).count() == 1

    page.get_by_role("link", name="Cases", exact=True).first.click()
    page.get_by_role("link", name="Statistics").click()
    a11y_page.check()
    assert "Heron" not in page.content()
    page.get_by_role("link", name="Cases", exact=True).first.click()
    page.get_by_role("link", name="Agenda").click()
    a11y_page.check()
    page.get_by_role("link", name="Cases", exact=True).first.click()
    page.get_by_role("link", name="Intake rounds").click()
    a11y_page.check()
