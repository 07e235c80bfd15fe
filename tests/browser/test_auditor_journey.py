"""An auditor reviews the access log: filters, a user's history, signals, chain status and a
verification run; coordinators' people pages too. axe-core checks every page on the way."""

from __future__ import annotations

import pytest

from shelter.accounts.models import Organisation
from shelter.accounts.roles import Role
from tests.browser.test_case_officer_journey import sign_in
from tests.factories import make_user

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
    page.get_by_role("heading", name="Invitation made").wait_for()
    a11y_page.check()
    page.goto("/accounts/organisations/")
    a11y_page.check()
    page.get_by_role("link", name="New organisation").click()
    a11y_page.check()


def _busy_log(organisation) -> tuple:
    """A log with long names, ids of every kind, a burst, a break-glass and an integrity
    failure: the widest rows the auditors' tables meet."""
    from shelter.context import RequestInfo, current_request
    from tests.factories import make_case

    partners = Organisation.objects.create(name="Landelijk Netwerk Mensenrechtenverdedigers",
                                           kind="ngo")
    # Full names are the addresses' local parts: long ones, as real names can be.
    coordinator = make_user("cornelia.van.der.heijden-oosterhuis@example.org", Role.COORDINATOR,
                            organisation)
    officer = make_user("olaf.bartholomeus.vermeulen@example.org", Role.CASE_OFFICER,
                        organisation)
    partner = make_user("pia.alexandrovna.konstantinopoulou@example.org", Role.PARTNER,
                        partners)
    case = make_case(coordinator, code_name="Heron", officer=officer)
    # Written as if from a request over IPv6: the longest address the IP column shows.
    token = current_request.set(RequestInfo("f" * 32, "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
                                            "Mozilla/5.0"))
    try:
        _busy_entries(case, coordinator, officer, partner)
    finally:
        current_request.reset(token)
    return case, officer


def _busy_entries(case, coordinator, officer, partner) -> None:
    import uuid

    from shelter import audit
    from shelter.audit import Action, Outcome

    for _ in range(12):
        audit.record(officer, Action.CASE_VIEW_SECTION, ("cases.case", str(uuid.uuid4())),
                     section="housing_address")
    audit.record(officer, Action.CASE_VIEW_SECTION, case, section="identity")
    audit.record(officer, Action.DOCUMENT_DOWNLOAD, ("cases.document", str(uuid.uuid4())),
                 case_id=case.pk)
    audit.record(coordinator, Action.BREAK_GLASS, case, section="notes.medical")
    audit.record(partner, Action.REFUSED, case, Outcome.REFUSED, section="documents.medical")
    audit.record(officer, Action.BOOKING_CREATE, ("housing.booking", str(uuid.uuid4())),
                 Outcome.REJECTED, reason="conflict")
    audit.record(None, Action.INTEGRITY_FAILURE, ("cases.document", str(uuid.uuid4())),
                 reason="authentication")


def _assert_fits(page) -> None:
    """Nothing on the page, and no table, is wider than the window."""
    widths = page.evaluate("""() => ({
        inner: window.innerWidth,
        page: document.documentElement.scrollWidth,
        tables: [...document.querySelectorAll('table')].map(t => {
            const box = t.parentElement.getBoundingClientRect();
            const pad = parseFloat(getComputedStyle(t.parentElement).paddingRight);
            return [Math.ceil(t.getBoundingClientRect().right), Math.floor(box.right - pad)];
        }),
    })""")
    assert widths["page"] <= widths["inner"], (page.url, widths)
    # Each table stays inside the column it is placed in (the page's 72rem, or a panel).
    assert all(right <= room for right, room in widths["tables"]), (page.url, widths)


@pytest.mark.parametrize("locale", ["en-GB", "nl-NL"])
def test_the_log_tables_fit_a_1366_pixel_screen(chromium, live_server, organisation, settings,
                                                locale):
    from tests.factories import A11yPage

    settings.SHELTER_AUDIT_BURST_CASES = 10
    case, officer = _busy_log(organisation)
    auditor = make_user("audrey.wilhelmina.rietveld@example.org", Role.AUDITOR, organisation)
    context = chromium.new_context(base_url=live_server.url, locale=locale,
                                   viewport={"width": 1366, "height": 768})
    a11y_page = A11yPage(context.new_page())
    page = a11y_page.page
    try:
        sign_in(a11y_page, live_server, auditor)
        for url in ("/audit/", "/audit/?code_name=Her", f"/audit/objects/cases.case/{case.pk}/",
                    f"/audit/users/{officer.pk}/", "/audit/anomalies/", "/audit/chain/",
                    "/audit/?date_from=2026-13-45"):
            page.goto(url)
            a11y_page.check()
            _assert_fits(page)
        page.goto("/audit/?code_name=Her")
        assert "Heron" in page.content()
        page.goto("/audit/anomalies/")
        assert page.locator("h2").last.inner_text() in ("Integrity failures",
                                                        "Integriteitsfouten")
        a11y_page.assert_all_checked()
    finally:
        context.close()
