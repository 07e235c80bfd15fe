"""A coordinator generates a case's allowance schedule, records two allowance payments as paid,
reads the budget overview with its chart and downloads the funder export; axe-core checks
every page on the way (Chromium; skipped without it)."""

from __future__ import annotations

import datetime

import pytest

from budget.models import Payment
from cases.models import Case
from shelter.accounts.models import Organisation
from shelter.accounts.roles import Role
from tests.browser.test_case_officer_journey import sign_in
from tests.factories import ensure_funders, make_case, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coordinator(db):
    organisation = Organisation.objects.create(name="Gemeente", kind="municipality")
    ensure_funders()  # an earlier journey's flush took the migration's funders with it
    return make_user("carla@example.org", Role.COORDINATOR, organisation)


def test_budget_journey(a11y_page, live_server, coordinator):
    page = a11y_page.page
    year = datetime.date.today().year
    case = make_case(coordinator, code_name="Heron", legal_name="Ana María Pérez")
    Case.objects.filter(pk=case.pk).update(planned_arrival=datetime.date(year, 1, 15),
                                           planned_departure=datetime.date(year, 4, 14))
    sign_in(a11y_page, live_server, coordinator)
    page.goto(f"/budget/cases/{case.pk}/")
    a11y_page.check()
    page.get_by_role("link", name="Allowance schedule").click()
    page.get_by_label("Monthly allowance (€)").fill("1000.00")
    page.get_by_label("Funder").select_option(label="Municipality")
    page.get_by_role("button", name="Generate schedule").click()
    a11y_page.check()
    assert "4 payments added" in page.content()

    for payment in Payment.objects.order_by("due_on")[:2]:
        page.goto(f"/budget/cases/{case.pk}/payments/{payment.pk}/")
        a11y_page.check()
        page.get_by_label("Status").select_option(label="Paid")
        page.get_by_label("Paid on").fill(payment.due_on.isoformat())
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(f"**/budget/cases/{case.pk}/")
    a11y_page.check()
    assert Payment.objects.filter(status="paid").count() == 2
    assert "1,548.39" in page.content()  # 548.39 + 1000.00 paid

    page.goto(f"/budget/funders/?year={year}")
    a11y_page.check()
    page.get_by_label(f"Budget {year} (€)").first.fill("1000.00")
    page.get_by_role("button", name="Set budget").first.click()
    page.wait_for_url(f"**/budget/funders/?year={year}")
    a11y_page.check()

    page.goto(f"/budget/?year={year}")
    a11y_page.check()
    assert 'data-marker="over-budget"' in page.content()  # 1,548.39 paid of 1,000.00
    assert page.locator("svg.chart__svg").count() == 1
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    body = open(info.value.path(), "rb").read()
    assert b"fewer than 3" in body  # one residency: no amount leaves the building
    assert "Pérez".encode() not in body and b"Heron" not in body and b"548.39" not in body
