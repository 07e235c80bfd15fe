"""An auditor reviews the access log: filters, a user's history, signals, chain status and a
verification run; coordinators' people pages too. axe-core checks every page on the way."""

from __future__ import annotations

import pytest

from shelter.accounts.models import Organisation
from shelter.accounts.roles import Role
from tests.browser.test_case_officer_journey import sign_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def organisation(db):
    return Organisation.objects.create(name="Gemeente", kind="municipality")


def test_auditor_reviews_the_access_log(a11y_page, live_server, organisation):
    auditor = make_user("audrey@example.org", Role.AUDITOR, organisation)
    page = a11y_page.page
    sign_in(a11y_page, live_server, auditor)
    page.goto("/audit/")
    page.get_by_role("heading", name="Access log").wait_for()
    a11y_page.check()
    page.get_by_label("Outcome").select_option("allowed")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state("load")
    a11y_page.check()
    assert "outcome=allowed" in page.url
    page.get_by_role("link", name="Signals").click()
    a11y_page.check()
    page.get_by_role("link", name="Chain status").click()
    a11y_page.check()
    page.get_by_role("button", name="Verify now").click()
    page.wait_for_load_state("load")
    a11y_page.check()
    page.goto("/")
    a11y_page.check()
    page.goto("/cases/")
    assert "Page not found" in page.content()  # auditors never open case routes
    a11y_page.check()


def test_coordinator_manages_people_and_organisations(a11y_page, live_server, organisation):
    coordinator = make_user("cora@example.org", Role.COORDINATOR, organisation)
    page = a11y_page.page
    sign_in(a11y_page, live_server, coordinator)
    page.goto("/accounts/people/")
    a11y_page.check()
    page.get_by_role("link", name="Invite a user").click()
    a11y_page.check()
    page.get_by_label("E-mail address").fill("new.officer@example.org")
    page.get_by_label("Full name").fill("Nico Nieuw")
    page.get_by_label("Role").select_option("Case officer")
    page.get_by_label("Organisation").select_option(label="Gemeente")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_role("heading", name="Invitation created").wait_for()
    a11y_page.check()
    page.goto("/accounts/organisations/")
    a11y_page.check()
    page.get_by_role("link", name="New organisation").click()
    a11y_page.check()
