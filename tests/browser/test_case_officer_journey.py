"""A case officer opens a case for a new defender, uploads a passport scan, moves the case to
Accepted, adds a programme activity, downloads the scan back byte for byte and adds a note;
axe-core checks every page on the way."""

from __future__ import annotations

import datetime
import os

import pytest
from django.conf import settings

from cases.models import Case, Document
from tests.factories import make_user, verified_client

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
    from playwright.sync_api import expect  # imported here: without Playwright the test skips

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

    sections = page.get_by_role("navigation", name="Case sections")
    stage_tag = page.locator(".page-head .tag").first

    sections.get_by_role("link", name="Documents").click()
    a11y_page.check()
    content = b"%PDF-1.4\n" + os.urandom(300 * 1024)  # large enough to span many chunks
    scan = tmp_path / "passport-scan.pdf"
    scan.write_bytes(content)
    page.get_by_label("File").set_input_files(str(scan))
    page.get_by_label("Category").select_option(label="Passport and visa")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(f"**/cases/{case.pk}/documents/")
    a11y_page.check()
    document_row = page.get_by_role("row").filter(has_text="passport-scan.pdf")
    expect(document_row).to_contain_text("Passport and visa")
    assert case.documents.get().category == Document.Category.PASSPORT_VISA

    def change_stage(to: str, reason: str = "") -> None:
        page.get_by_role("link", name="Change stage").click()
        a11y_page.check()
        page.get_by_label("New stage").select_option(to)
        if reason:
            page.get_by_label("Reason or decision note").fill(reason)
        page.get_by_role("button", name="Change stage").click()
        page.wait_for_url(f"**/cases/{case.pk}/")
        a11y_page.check()

    change_stage("under_review")
    expect(stage_tag).to_have_text("Under review")
    change_stage("accepted", "The committee accepted the nomination on 3 March.")
    expect(stage_tag).to_have_text("Accepted")
    expect(page.locator("dl.facts").first).to_contain_text("Accepted")
    case.refresh_from_db()
    assert case.stage == Case.Stage.ACCEPTED

    for tab in ("Residency", "Tasks", "History", "Notes", "Programme"):
        sections.get_by_role("link", name=tab).click()
        a11y_page.check()

    day = datetime.date.today() + datetime.timedelta(days=45)
    page.get_by_label("Day", exact=True).fill(day.isoformat())
    page.get_by_label("Starts", exact=True).fill("10:00")
    page.get_by_label("Ends (optional)", exact=True).fill("11:30")
    page.get_by_label("Kind", exact=True).select_option(label="Lecture or event")
    page.get_by_label("Title", exact=True).fill("Talk at the city library")
    page.get_by_label("Place (optional)", exact=True).fill("Central library")
    page.get_by_role("button", name="Add to the programme").click()
    page.wait_for_url(f"**/cases/{case.pk}/programme/")
    a11y_page.check()
    activity = page.get_by_role("table").get_by_role("row").filter(
        has_text="Talk at the city library")
    expect(activity).to_have_count(1)
    expect(activity).to_contain_text("Central library")
    expect(activity).to_contain_text(f"{day.day} {day:%B %Y}")  # the day in words
    expect(stage_tag).to_have_text("Accepted")

    sections.get_by_role("link", name="Documents").click()
    a11y_page.check()
    with page.expect_download() as download:
        document_row.get_by_role("link", name="passport-scan.pdf", exact=True).click()
    assert download.value.suggested_filename == "passport-scan.pdf"
    with open(download.value.path(), "rb") as downloaded:
        assert downloaded.read() == content

    page.get_by_role("navigation", name="Case sections").get_by_role("link", name="Notes").click()
    page.get_by_role("textbox", name="Note").fill("First contact went well.")
    page.get_by_role("button", name="Save note").click()
    a11y_page.check()
    assert "First contact went well." in page.content()

    page.goto("/cases/")
    page.get_by_label("Name, passport number or code name").fill("ana demo perez")
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
