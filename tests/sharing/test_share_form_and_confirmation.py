"""The share form tells the truth (nothing preselected, basic included, consent required unless
a coordinator overrides, the right message for a past end date), a valid form first shows what
will be shared and nothing is written until the confirmation's POST, and revoking confirms
first."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone, translation

from cases.sharing.forms import ShareGrantForm
from cases.sharing.models import CaseShare
from shelter.audit import Action
from tests.factories import make_share, recorded

TODAY = datetime.date.today()


def grant_data(grantee: str, **extra) -> dict:
    return {"grantee": grantee, "sections": ["identity", "documents.passport_visa"],
            "mode": "read", "expires_on": (TODAY + datetime.timedelta(days=30)).isoformat(),
            "reason": "Legal aid", "consent_on": TODAY.isoformat(), **extra}


def sharing_url(case) -> str:
    return reverse("cases:sharing", args=[case.pk])


def test_the_form_preselects_nobody_and_offers_an_empty_first_choice(as_user, olaf, pia, case):
    page = as_user(olaf).get(sharing_url(case)).content.decode()
    select = page[page.index('name="grantee"'):page.index("</select>")]
    first = select[select.index("<option"):select.index("</option>")]
    assert 'value=""' in first and "Choose a person or organisation" in first
    assert select.count("selected") == 1 and "selected" in first
    assert pia.full_name in select


def test_sending_no_recipient_is_refused_at_the_field(as_fresh_user, olaf, case):
    response = as_fresh_user(olaf).post(sharing_url(case), grant_data(""))
    assert response.status_code == 400 and not CaseShare.objects.exists()
    assert response.context["form"].errors["grantee"] == [
        "Choose the person or organisation to share with."]
    assert 'href="#id_grantee"' in response.content.decode()


def test_basic_is_shown_as_included_not_as_an_unticked_choice(as_user, olaf, case):
    page = as_user(olaf).get(sharing_url(case)).content.decode()
    assert '<input type="checkbox" id="id_sections_basic" checked disabled' in page
    assert 'value="basic"' not in page
    assert "always included" in page
    assert '<label for="">' not in page and "<legend" in page and "<fieldset" in page


def test_basic_is_shared_when_nothing_else_is_ticked(as_fresh_user, olaf, pia, case):
    client = as_fresh_user(olaf)
    client.post(sharing_url(case), grant_data(f"user:{pia.pk}", sections=[], confirmed="1"))
    assert CaseShare.objects.get().sections == ["basic"]


def test_consent_is_required_for_an_officer_and_labelled_so(as_fresh_user, olaf, pia, case):
    client = as_fresh_user(olaf)
    page = client.get(sharing_url(case)).content.decode()
    label = page[page.index('for="id_consent_on"'):]
    assert "optional" not in label[:label.index("</label>")]
    response = client.post(sharing_url(case), grant_data(f"user:{pia.pk}", consent_on=""))
    assert response.status_code == 400 and not CaseShare.objects.exists()
    assert response.context["form"].errors["consent_on"] == [
        "Enter the date the defender consented."]


def test_a_coordinator_needs_consent_or_an_override_reason(as_fresh_user, carla, pia, case):
    client = as_fresh_user(carla)
    missing = client.post(sharing_url(case), grant_data(f"user:{pia.pk}", consent_on=""))
    assert missing.status_code == 400 and "consent_on" in missing.context["form"].errors
    made = client.post(sharing_url(case), grant_data(
        f"user:{pia.pk}", consent_on="", override_reason="Urgent", confirmed="1"))
    assert made.status_code == 302
    share = CaseShare.objects.get()
    assert share.is_override and share.consent_on is None


def test_a_past_end_date_is_told_so_and_a_far_one_the_maximum(as_fresh_user, olaf, pia, case):
    client = as_fresh_user(olaf)
    past = client.post(sharing_url(case), grant_data(
        f"user:{pia.pk}", expires_on=(TODAY - datetime.timedelta(days=1)).isoformat()))
    assert past.status_code == 400
    assert past.context["form"].errors["expires_on"] == ["The end date must be today or later."]
    far = client.post(sharing_url(case), grant_data(
        f"user:{pia.pk}", expires_on=(TODAY + datetime.timedelta(days=181)).isoformat()))
    assert far.context["form"].errors["expires_on"] == ["A share must end within 180 days."]
    assert not CaseShare.objects.exists()


def test_the_past_end_date_message_is_dutch_on_the_dutch_page(olaf):
    with translation.override("nl"):
        form = ShareGrantForm(grant_data("", expires_on="2000-01-01"), acting_user=olaf)
        assert not form.is_valid()
        assert form.errors["expires_on"] == ["De einddatum moet vandaag of later zijn."]


def test_a_valid_form_shows_the_confirmation_and_writes_nothing(as_fresh_user, olaf, pia, case,
                                                                audit_since):
    response = as_fresh_user(olaf).post(sharing_url(case), grant_data(f"user:{pia.pk}"))
    assert response.status_code == 200
    assert response.templates[0].name == "sharing/share_confirm.html"
    page = response.content.decode()
    day = TODAY + datetime.timedelta(days=30)
    assert pia.full_name in page
    assert "Identity: legal name, birth date, passport" in page
    assert "Documents: Passport and visa" in page and "Basic: code name" in page
    assert f"{day.day} {day.strftime('%B')} {day.year}" in page
    assert 'name="confirmed" value="1"' in page
    assert not CaseShare.objects.exists() and not recorded(audit_since, Action.SHARE_GRANT)


def test_the_confirmation_names_the_month_in_dutch(as_fresh_user, olaf, pia, case, settings):
    client = as_fresh_user(olaf)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    data = grant_data(f"user:{pia.pk}")
    day = timezone.localdate() + datetime.timedelta(days=30)
    months = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
              "september", "oktober", "november", "december"]
    page = client.post(sharing_url(case), data).content.decode()
    assert f"{day.day} {months[day.month - 1]} {day.year}" in page
    assert "Identiteit" in page or "identiteit" in page


def test_the_confirmed_post_makes_the_share_with_the_values_shown(as_fresh_user, olaf, pia,
                                                                 case, audit_since):
    response = as_fresh_user(olaf).post(sharing_url(case),
                                        grant_data(f"user:{pia.pk}", confirmed="1"))
    assert response.status_code == 302
    share = CaseShare.objects.get()
    assert share.grantee_user == pia
    assert share.sections == ["basic", "identity", "documents.passport_visa"]
    assert len(recorded(audit_since, Action.SHARE_GRANT)) == 1


def test_the_confirmed_post_is_validated_again(as_fresh_user, olaf, pia, case):
    response = as_fresh_user(olaf).post(sharing_url(case), grant_data(
        f"user:{pia.pk}", confirmed="1", expires_on=(TODAY - datetime.timedelta(days=3))
        .isoformat()))
    assert response.status_code == 400 and not CaseShare.objects.exists()


def test_the_confirmed_post_still_needs_a_fresh_code(as_user, olaf, pia, case):
    response = as_user(olaf).post(sharing_url(case), grant_data(f"user:{pia.pk}", confirmed="1"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reverify"))
    assert not CaseShare.objects.exists()


def test_going_back_to_change_keeps_the_values(as_fresh_user, olaf, pia, case):
    response = as_fresh_user(olaf).post(sharing_url(case),
                                        grant_data(f"user:{pia.pk}", edit="1"))
    assert response.status_code == 200 and not CaseShare.objects.exists()
    page = response.content.decode()
    assert response.templates[0].name == "sharing/sharing.html"
    assert f'value="user:{pia.pk}" selected' in page
    assert 'value="identity" id="id_sections_0" checked' in page or (
        'value="identity"' in page and "checked" in page)
    assert "Legal aid" in page


def test_revoking_asks_first_and_names_who_loses_what(as_user, olaf, carla, pia, case):
    share = make_share(case, carla, user=pia, sections=("basic", "identity"))
    url = reverse("cases:share_revoke", args=[case.pk, share.pk])
    client = as_user(olaf)
    page = client.get(url)
    assert page.status_code == 200 and page.templates[0].name == "confirm.html"
    text = page.content.decode()
    assert pia.full_name in text and case.defender.code_name in text
    assert "Identity: legal name, birth date, passport" in text
    assert 'name="confirmed" value="1"' in text
    unconfirmed = client.post(url, {"reason": "old form"})
    assert unconfirmed.status_code == 200
    share.refresh_from_db()
    assert share.revoked_at is None
    assert client.post(url, {"confirmed": "1", "reason": "Done"}).status_code == 302
    share.refresh_from_db()
    assert share.revoked_at is not None and share.revoke_reason == "Done"


def test_the_sharing_page_links_to_the_revoke_confirmation(as_user, olaf, carla, pia, case):
    share = make_share(case, carla, user=pia)
    page = as_user(olaf).get(sharing_url(case)).content.decode()
    url = reverse("cases:share_revoke", args=[case.pk, share.pk])
    assert f'<a class="button button--danger" href="{url}">' in page
    assert f'action="{url}"' not in page


def test_the_confirmation_names_an_organisation_as_such(as_fresh_user, olaf, ngo, case):
    response = as_fresh_user(olaf).post(sharing_url(case), grant_data(f"org:{ngo.pk}"))
    page = response.content.decode()
    assert response.status_code == 200 and ngo.name in page
    assert "organisation: all its members" in page and not CaseShare.objects.exists()


def test_the_recipient_list_costs_the_same_queries_for_two_partners_as_for_forty(
        as_user, olaf, pia, ngo, case):
    """The list of people and organisations is two plain reads, whatever its length, and
    every name in it is escaped."""
    from shelter.accounts.models import Organisation
    from shelter.accounts.roles import Role
    from tests.factories import make_user, sent_queries

    client = as_user(olaf)
    client.get(sharing_url(case))

    def page_and_queries():
        pages: list = []
        queries = sent_queries(lambda: pages.append(client.get(sharing_url(case))))
        return pages[0].content.decode(), queries

    _page, few = page_and_queries()
    for i in range(40):
        make_user(f"partner{i}@example.org", Role.PARTNER, ngo, full_name=f"<i>P{i:02d}</i>")
        Organisation.objects.create(name=f"Org {i} & co", kind=Organisation.Kind.OTHER)
    page, many = page_and_queries()
    assert len(many) == len(few)
    select = page[page.index('name="grantee"'):page.index("</select>")]
    assert select.count("<option") == 1 + 41 + Organisation.objects.exclude(
        kind=Organisation.Kind.MUNICIPALITY).count()
    assert "&lt;i&gt;P07&lt;/i&gt;" in select and "<i>" not in select
    assert "Org 3 &amp; co" in select
