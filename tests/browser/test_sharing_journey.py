"""An officer shares a case's basic section and documents with pia for 30 days (confirming a
fresh code from the authenticator, then the share itself), pia finds it under "Shared with me"
and sees the documents but not the identity; the officer revokes (confirming it) and pia's next
request sends her to "Shared with me", told that a share ended. axe-core checks every page on
the way."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cases.models import Document
from shelter.accounts.models import AuthenticatorDevice
from tests.cases.matrix_world import upload_file
from tests.factories import add_session, make_case, make_user, verified_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setting(db):
    from shelter.accounts.models import Organisation
    from shelter.accounts.roles import Role

    municipality = Organisation.objects.create(name="Gemeente", kind="municipality")
    ngo = Organisation.objects.create(name="Justice NGO", kind="coordinating_ngo")
    officer = make_user("olga@example.org", Role.CASE_OFFICER, municipality)
    partner = make_user("pia@example.org", Role.PARTNER, ngo)
    case = make_case(officer, officer=officer, legal_name="Ana Demo Pérez",
                     planned_arrival=datetime.date.today() + datetime.timedelta(days=40))
    verified_client(officer).post(reverse("cases:document_upload", args=[case.pk]),
                                  {"file": upload_file("passport_visa"),
                                   "category": "passport_visa"})
    assert Document.objects.filter(case=case).exists()
    return officer, partner, case


def current_code(user) -> str:
    device = AuthenticatorDevice.objects.get(user=user)
    return device.current_code()


def test_sharing_journey(a11y_page, chromium, live_server, setting):
    officer, partner, case = setting
    page = a11y_page.page
    add_session(page.context, live_server, officer)
    page.goto(f"/cases/{case.pk}/")
    a11y_page.check()
    page.get_by_role("navigation", name="Case sections").get_by_role(
        "link", name="Sharing").click()
    a11y_page.check()

    def fill_share_form():
        page.get_by_label("Share with").select_option(label=partner.full_name)
        assert page.get_by_label("Basic: code name, stage, dates").is_checked()  # included
        page.get_by_label("Documents: Passport and visa").check()
        page.get_by_label("Reason for sharing").fill("Legal support for the visa")
        page.get_by_label("Defender consented on").fill(datetime.date.today().isoformat())
        page.get_by_role("button", name="Continue: check the share").click()

    fill_share_form()  # no code entered yet in this session: asked for a fresh one
    page.wait_for_url("**/accounts/confirm/**")
    a11y_page.check()
    page.get_by_label("Code").fill(current_code(officer))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"**/cases/{case.pk}/sharing/")
    fill_share_form()
    page.get_by_role("heading", name="Check the share before it is made").wait_for()
    a11y_page.check()
    page.get_by_role("button", name="Share now").click()
    page.wait_for_url(f"**/cases/{case.pk}/sharing/")
    a11y_page.check()
    last_day = datetime.date.today() + datetime.timedelta(days=30)
    expiry = f"{last_day.day} {last_day:%B} {last_day.year}"  # the last day, in words
    assert page.get_by_role("cell", name=partner.full_name).count() == 1

    partner_context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    partner_page = partner_context.new_page()
    add_session(partner_context, live_server, partner)
    from tests.factories import A11yPage

    pia = A11yPage(partner_page)
    partner_page.goto("/")
    pia.check()
    partner_page.get_by_role("link", name="Shared with me").first.click()
    pia.check()
    assert expiry in partner_page.content()
    partner_page.get_by_role("link", name=case.defender.code_name, exact=True).click()
    pia.check()
    assert "Ana Demo Pérez" not in partner_page.content()
    partner_page.get_by_role("navigation", name="Case sections").get_by_role(
        "link", name="Documents").click()
    pia.check()
    assert partner_page.get_by_role("link", name="file-passport_visa-marker.pdf").count() == 1

    page.get_by_role("link", name="Revoke").click()
    page.wait_for_url("**/revoke/")
    a11y_page.check()
    page.get_by_role("button", name="Revoke the share").click()
    page.wait_for_url(f"**/cases/{case.pk}/sharing/")
    a11y_page.check()
    partner_page.reload()
    partner_page.wait_for_url("**/cases/shared/")
    assert "A share you had has ended" in partner_page.content()
    pia.check()
    assert case.defender.code_name not in partner_page.content()
    pia.assert_all_checked()
    partner_context.close()
