"""Forms that help, in Dutch and in English: the new-case form in fieldsets with legends, its
required fields not called optional, an empty submission answered by an error summary whose
links move the focus to the fields; a too-short password refused in Dutch on the invitation
page; the find-a-unit page asking for the number of occupants. axe-core checks every page at
1280 px and 390 px."""

from __future__ import annotations

import pytest

from shelter.accounts import services as account_services
from shelter.accounts.models import Organisation
from shelter.accounts.roles import Role
from tests.factories import browser_page, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "nl": {"create": "Nieuw dossier", "code": "Codenaam", "legal": "Officiële naam",
           "condition": "verplicht voor een nieuwe verdediger", "optional": "(optioneel)",
           "phone": "Telefoon", "legends": ["Verdediger", "Contact", "Verblijf", "Risico"],
           "submit": "Dossier aanmaken", "problem": "Er is een probleem",
           "occupants": "Aantal bewoners", "find": "Woonruimte zoeken", "menu": "Gebruikers"},
    "en": {"create": "Open a case", "code": "Code name", "legal": "Legal name",
           "condition": "required for a new defender", "optional": "(optional)",
           "phone": "Phone", "legends": ["Defender", "Contact", "Residency", "Risk"],
           "submit": "Open the case", "problem": "There is a problem",
           "occupants": "Number of occupants", "find": "Find a unit", "menu": "People"},
}


@pytest.fixture
def people(db):
    municipality = Organisation.objects.create(name="Gemeente", kind="municipality")
    ngo = Organisation.objects.create(name="Justice NGO", kind="coordinating_ngo")
    coordinator = make_user("carla@example.org", Role.COORDINATOR, municipality)
    return coordinator, ngo


@pytest.mark.parametrize("language", ["nl", "en"])
def test_forms_journey(chromium, live_server, people, language):
    coordinator, ngo = people
    words = WORDS[language]
    a11y = browser_page(chromium, live_server, coordinator, language)
    page = a11y.page

    # The new-case form: fieldsets with legends, required fields without "(optional)".
    page.goto("/cases/new/")
    a11y.check()
    assert page.locator("h1").inner_text() == words["create"]
    legends = page.locator("legend.form-section__legend").all_inner_texts()
    assert legends == words["legends"]
    code_label = page.locator("label[for=id_code_name]").inner_text()
    assert words["condition"] in code_label and words["optional"] not in code_label
    legal_label = page.locator("label[for=id_legal_name]").inner_text()
    assert words["condition"] in legal_label and words["optional"] not in legal_label
    assert words["optional"] in page.locator("label[for=id_phone]").inner_text()
    defender = page.get_by_role("group", name=words["legends"][0])
    assert defender.get_by_label(words["code"], exact=False).count() >= 1

    # Submitted empty: the summary comes first, takes the focus, and its links focus fields.
    page.get_by_role("button", name=words["submit"]).click()
    page.wait_for_load_state("load")
    a11y.check()
    summary = page.get_by_role("alert").filter(has_text=words["problem"])
    assert summary.count() == 1
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    links = summary.get_by_role("link")
    assert links.count() == 2
    assert words["code"] in links.nth(0).inner_text()
    assert page.locator("#id_code_name").get_attribute("aria-invalid") == "true"
    links.nth(1).click()
    assert page.evaluate("document.activeElement.id") == "id_legal_name"
    links.nth(0).click()
    assert page.evaluate("document.activeElement.id") == "id_code_name"
    page.keyboard.type("Kestrel")

    # Find a unit: the occupants are not "Gebruikers"/"People", the menu keeps its word.
    page.goto("/housing/find/")
    a11y.check()
    assert page.get_by_label(words["occupants"]).count() == 1
    assert page.get_by_role("navigation").get_by_role("link", name=words["menu"],
                                                      exact=True).count() == 1
    assert page.get_by_role("group", name=words["occupants"]).count() == 0
    needs = page.locator("fieldset.field--group legend")
    assert needs.count() == 1 and page.locator('label[for=""]').count() == 0
    a11y.assert_all_checked()
    page.context.close()

    # An invitee chooses a password: a too-short one is refused in the page's language.
    _invitee, path = account_services.user_invite(
        email=f"new-{language}@example.org", full_name="New Partner", role=Role.PARTNER,
        organisation=ngo, acting_user=coordinator)
    guest = browser_page(chromium, live_server, None, language)
    guest.page.goto(path)
    guest.check()
    guest.page.locator("#id_password1").fill("kort")
    guest.page.locator("#id_password2").fill("kort")
    guest.page.locator("form.form button[type=submit]").click()
    guest.page.wait_for_load_state("load")
    guest.check()
    error = guest.page.locator("#id_password1_error").inner_text()
    if language == "nl":
        assert "Dit wachtwoord is te kort" in error and "too short" not in error
    else:
        assert "This password is too short" in error
    assert guest.page.get_by_role("alert").filter(has_text=words["problem"]).count() == 1
    guest.assert_all_checked()
    guest.page.context.close()
