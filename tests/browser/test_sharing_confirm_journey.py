"""The share form tells the truth and a share is made only after it was checked, in Dutch and in
English: nothing is preselected as recipient, the basic section is shown as included, the consent
date is labelled as required, a past end date is told so, the confirmation page names the
recipient, the sections and the last day in words, and the share exists only after "Share now".
Revoking asks first, and the partner is then told on "Shared with me" that a share ended,
without the case's name. axe-core checks every page at 1280 px and 390 px."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import formats, translation

from cases.sharing.models import CaseShare
from shelter.accounts.models import AuthenticatorDevice
from tests.factories import browser_page, make_case, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"share_with": "Share with", "choose": "Choose a person or organisation",
           "sections": "Sections to share", "basic": "Basic: code name, stage, dates",
           "included": "always included", "identity": "Identity: legal name, birth date, passport",
           "reason": "Reason for sharing", "until": "Until (inclusive)",
           "consent": "Defender consented on", "optional": "optional",
           "continue": "Continue: check the share", "past": "The end date must be today or later.",
           "check": "Check the share before it is made", "share_now": "Share now",
           "change": "Change the share", "code": "Code", "confirm": "Confirm",
           "revoke": "Revoke", "revoke_confirm": "Revoke the share", "revoked": "Revoked",
           "notice": "A share you had has ended", "shared_with_me": "Shared with me"},
    "nl": {"share_with": "Delen met", "choose": "Kies een persoon of organisatie",
           "sections": "Te delen onderdelen", "basic": "Basis: codenaam, fase, data",
           "included": "altijd inbegrepen",
           "identity": "Identiteit: officiële naam, geboortedatum, paspoort",
           "reason": "Reden voor delen", "until": "Tot en met",
           "consent": "Verdediger gaf toestemming op", "optional": "optioneel",
           "continue": "Verder: delen controleren",
           "past": "De einddatum moet vandaag of later zijn.",
           "check": "Controleer het delen voordat het gebeurt", "share_now": "Nu delen",
           "change": "Delen aanpassen", "code": "Code", "confirm": "Bevestigen",
           "revoke": "Intrekken", "revoke_confirm": "Delen intrekken", "revoked": "Ingetrokken",
           "notice": "Iets wat met u gedeeld was, is niet meer gedeeld",
           "shared_with_me": "Met mij gedeeld"},
}


@pytest.fixture
def setting(db):
    from shelter.accounts.models import Organisation
    from shelter.accounts.roles import Role

    municipality = Organisation.objects.create(name="Gemeente", kind="municipality")
    ngo = Organisation.objects.create(name="Justice NGO", kind="coordinating_ngo")
    officer = make_user("olga@example.org", Role.CASE_OFFICER, municipality)
    partner = make_user("pia@example.org", Role.PARTNER, ngo)
    make_user("paul@example.org", Role.PARTNER, ngo)  # a second person one could pick by mistake
    case = make_case(officer, officer=officer, legal_name="Ana Demo Pérez")
    return officer, partner, case


def in_words(day: datetime.date, language: str) -> str:
    with translation.override(language):
        return formats.date_format(day, "j F Y")


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_share_is_made_only_after_it_was_checked(chromium, live_server, setting, language):
    officer, partner, case = setting
    w = WORDS[language]
    olga = browser_page(chromium, live_server, officer, language)
    page = olga.page
    sharing_path = reverse("cases:sharing", args=[case.pk])
    page.goto(sharing_path)
    olga.check()

    # Nothing is preselected; basic is shown as included; consent is not "optional".
    assert page.get_by_label(w["share_with"]).input_value() == ""
    assert page.locator("#id_grantee option:checked").inner_text() == w["choose"]
    group = page.get_by_role("group", name=w["sections"])
    basic = group.get_by_label(w["basic"])
    assert basic.is_checked() and basic.is_disabled()
    assert group.get_by_text(w["included"]).is_visible()
    consent_label = page.locator("label[for=id_consent_on]").inner_text()
    assert w["consent"] in consent_label and w["optional"] not in consent_label
    assert "optional" not in consent_label.lower() and "optioneel" not in consent_label.lower()

    today = datetime.date.today()
    last_day = today + datetime.timedelta(days=30)

    def fill(until: datetime.date) -> None:
        page.get_by_label(w["share_with"]).select_option(label=partner.full_name)
        group.get_by_label(w["identity"]).check()
        page.get_by_label(w["reason"]).fill("Legal support for the visa")
        page.get_by_label(w["until"]).fill(until.isoformat())
        page.get_by_label(w["consent"]).fill(today.isoformat())
        page.get_by_role("button", name=w["continue"]).click()

    fill(last_day)  # no code entered yet in this session: asked for a fresh one first
    page.wait_for_url("**/accounts/confirm/**")
    olga.check()
    device = AuthenticatorDevice.objects.get(user=officer)
    page.get_by_label(w["code"]).fill(device.current_code())
    page.get_by_role("button", name=w["confirm"]).click()
    page.wait_for_url(f"**{sharing_path}")

    fill(today - datetime.timedelta(days=1))  # a past end date is told so, at the field
    page.wait_for_load_state("load")
    assert page.locator("#id_expires_on_error").inner_text() == w["past"]
    assert page.get_by_role("alert").get_by_role("link", name=w["past"]).count() == 1
    olga.check()
    assert not CaseShare.objects.exists()

    fill(last_day)  # the confirmation names who, what and until when; nothing is shared yet
    page.get_by_role("heading", name=w["check"]).wait_for()
    summary = page.locator("[data-marker=share-summary]").inner_text()
    assert partner.full_name in summary and w["identity"] in summary and w["basic"] in summary
    assert in_words(last_day, language) in summary
    olga.check()
    assert not CaseShare.objects.exists()

    page.get_by_role("button", name=w["change"]).click()  # back to the form, values kept
    page.wait_for_load_state("load")
    assert page.get_by_label(w["share_with"]).input_value() == f"user:{partner.pk}"
    assert page.get_by_label(w["reason"]).input_value() == "Legal support for the visa"
    assert group.get_by_label(w["identity"]).is_checked()
    olga.check()
    page.get_by_role("button", name=w["continue"]).click()
    page.get_by_role("heading", name=w["check"]).wait_for()
    page.get_by_role("button", name=w["share_now"]).click()
    page.wait_for_url(f"**{sharing_path}")
    olga.check()
    share = CaseShare.objects.get()
    assert share.grantee_user == partner and share.sections == ["basic", "identity"]

    # Revoking asks first: who loses access to which case, now.
    page.get_by_role("link", name=w["revoke"]).click()
    page.wait_for_url(f"**{reverse('cases:share_revoke', args=[case.pk, share.pk])}")
    consequences = page.locator("[data-marker=confirm-consequences]").inner_text()
    assert partner.full_name in consequences and case.defender.code_name in consequences
    olga.check()
    share.refresh_from_db()
    assert share.revoked_at is None
    page.get_by_role("button", name=w["revoke_confirm"]).click()
    page.wait_for_url(f"**{sharing_path}")
    assert page.get_by_role("cell", name=w["revoked"]).count() == 1
    olga.check()
    share.refresh_from_db()
    assert share.revoked_at is not None

    # The partner opens the case she had: told on "Shared with me" that a share ended.
    pia = browser_page(chromium, live_server, partner, language)
    pia.page.goto(reverse("cases:profile", args=[case.pk]))
    pia.page.wait_for_url(f"**{reverse('cases:shared_with_me')}")
    assert pia.page.get_by_role("heading", name=w["shared_with_me"], exact=True).count() == 1
    assert w["notice"] in pia.page.get_by_role("status").inner_text()
    content = pia.page.content()
    assert case.defender.code_name not in content and str(case.pk) not in content
    pia.check()

    olga.assert_all_checked()
    pia.assert_all_checked()
    olga.page.context.close()
    pia.page.context.close()
