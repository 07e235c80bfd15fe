"""A privacy officer (an auditor) keeps the register of processing activities: finds it in the
menu, opens the budget activity, changes its retention period as a new version, reads the old
version beside it, opens the page to print for the DPA and downloads the JSON export; axe-core
checks every page on the way, in English and in Dutch."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from shelter.accounts.models import Organisation
from shelter.accounts.roles import Role
from shelter.register.models import ActivityVersion
from tests.browser.test_case_officer_journey import sign_in
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_auditor_keeps_the_register(a11y_page, live_server):
    from playwright.sync_api import expect

    organisation = Organisation.objects.create(name="Gemeente", kind="municipality")
    auditor = make_user("priya@example.org", Role.AUDITOR, organisation)
    before = ActivityVersion.objects.filter(code="budget").order_by("-version").first()
    page = a11y_page.page
    sign_in(a11y_page, live_server, auditor)
    page.goto("/")
    a11y_page.check()
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Register").click()
    page.get_by_role("heading", name="Register of processing activities").wait_for()
    a11y_page.check()
    expect(page.get_by_role("row")).to_have_count(9)  # the header and eight activities
    page.get_by_role("link", name="Residency budget and payments").click()
    a11y_page.check()
    page.get_by_role("link", name="Change (a new version)").click()
    a11y_page.check()
    # A save without a reason is refused with a message, and nothing is written.
    page.get_by_label("Retention period").fill("Seven years (fiscal retention duty).")
    page.get_by_role("button", name="Save as a new version").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    a11y_page.check()
    assert ActivityVersion.objects.filter(code="budget").count() == before.version
    page.get_by_label("Reason for the change").fill("Review by the privacy officer")
    page.get_by_role("button", name="Save as a new version").click()
    page.get_by_text(f"Version {before.version + 1} is now in force.").wait_for()
    a11y_page.check()
    expect(page.locator("dl.facts")).to_contain_text("Seven years (fiscal retention duty).")
    page.get_by_role("link", name=f"Version {before.version}", exact=True).click()
    page.get_by_text(f"Replaced: version {before.version + 1} is in force.").wait_for()
    a11y_page.check()
    expect(page.locator("dl.facts")).to_contain_text(before.retention[:40])

    page.goto("/register/")
    page.get_by_role("link", name="Page to print for the Dutch DPA").click()
    page.get_by_role("heading", name="Register of processing activities").wait_for()
    a11y_page.check()
    assert page.locator("section.register-entry").count() == 8
    page.goto("/register/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as JSON").click()
    with open(download.value.path(), encoding="utf-8") as handle:
        exported = json.load(handle)["activities"]
    budget = next(row for row in exported if row["code"] == "budget")
    assert budget["version"] == before.version + 1
    assert budget["retention"] == "Seven years (fiscal retention duty)."

    # The same pages in Dutch.
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "nl",
                               "url": live_server.url}])
    page.goto("/register/")
    page.get_by_role("heading", name="Verwerkingsregister").wait_for()
    a11y_page.check()
    page.get_by_role("link", name="Residency budget and payments").click()
    page.get_by_role("heading", name="Versies").wait_for()
    a11y_page.check()
    page.get_by_role("link", name="Wijzigen (een nieuwe versie)").click()
    page.get_by_role("button", name="Opslaan als nieuwe versie").wait_for()
    a11y_page.check()
