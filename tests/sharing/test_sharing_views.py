"""The case's Sharing section (grant with a fresh code, revoke), break-glass, and the re-verify
page that dangerous acts send users to."""

from __future__ import annotations

import datetime

import pytest
from django.urls import get_resolver, reverse

from cases import policies
from cases.sharing.models import BreakGlass, CaseShare
from shelter.access import guards_of, walk
from shelter.accounts.models import AuthenticatorDevice
from shelter.audit import Action
from tests.factories import make_case, make_share, recorded


def grant_data(pia, **extra) -> dict:
    return {"grantee": f"user:{pia.pk}", "sections": ["basic", "identity"], "mode": "read",
            "expires_on": (datetime.date.today() + datetime.timedelta(days=30)).isoformat(),
            "reason": "Legal aid", "consent_on": datetime.date.today().isoformat(), **extra}


def code_for(user) -> str:
    device = AuthenticatorDevice.objects.get(user=user)
    return device.current_code()


def test_the_assigned_officer_grants_a_share_with_a_fresh_code(as_fresh_user, olaf, pia, case,
                                                               audit_since):
    response = as_fresh_user(olaf).post(reverse("cases:sharing", args=[case.pk]),
                                        grant_data(pia, confirmed="1"))
    assert response.status_code == 302
    share = CaseShare.objects.get()
    assert share.grantee_user == pia and share.sections == ["basic", "identity"]
    assert len(recorded(audit_since, Action.SHARE_GRANT)) == 1


def test_granting_without_a_recent_code_goes_through_re_verification(as_user, olaf, pia, case):
    client = as_user(olaf)
    url = reverse("cases:sharing", args=[case.pk])
    response = client.post(url, grant_data(pia))
    assert response.status_code == 302 and not CaseShare.objects.exists()
    confirm = response["Location"]
    assert confirm.startswith(reverse("accounts:reverify"))
    wrong = client.post(confirm, {"code": "000000", "next": url})
    assert wrong.status_code == 200 and not CaseShare.objects.exists()
    AuthenticatorDevice.objects.filter(user=olaf).update(  # the wrong code's back-off: wait it out
        throttling_failure_count=0, throttling_failure_timestamp=None)
    back = client.post(confirm, {"code": code_for(olaf), "next": url})
    assert back.status_code == 302 and back["Location"] == url
    assert client.post(url, grant_data(pia)).status_code == 200  # the confirmation page
    assert not CaseShare.objects.exists()
    assert client.post(url, grant_data(pia, confirmed="1")).status_code == 302
    assert CaseShare.objects.count() == 1


def test_an_officer_cannot_share_a_case_of_another_officer(as_fresh_user, otto, pia, case):
    response = as_fresh_user(otto).post(reverse("cases:sharing", args=[case.pk]),
                                        grant_data(pia))
    assert response.status_code == 403 and not CaseShare.objects.exists()


def test_an_officer_cannot_override_consent(as_fresh_user, olaf, pia, case):
    response = as_fresh_user(olaf).post(reverse("cases:sharing", args=[case.pk]),
                                        grant_data(pia, consent_on="", override_reason="urgent"))
    assert response.status_code == 400 and not CaseShare.objects.exists()


def test_a_share_longer_than_the_maximum_is_refused_with_a_message(as_fresh_user, carla, pia,
                                                                     case, settings):
    settings.SHELTER_SHARE_MAX_DAYS = 10
    response = as_fresh_user(carla).post(reverse("cases:sharing", args=[case.pk]),
                                         grant_data(pia))
    assert response.status_code == 400 and not CaseShare.objects.exists()


def test_revoking_from_the_sharing_page(as_user, olaf, carla, pia, case, audit_since):
    share = make_share(case, carla, user=pia)
    response = as_user(olaf).post(reverse("cases:share_revoke", args=[case.pk, share.pk]),
                                  {"confirmed": "1", "reason": "Done"})
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.revoked_at and share.revoked_by == olaf and share.revoke_reason == "Done"
    told = as_user(pia).get(reverse("cases:profile", args=[case.pk]))
    assert told.status_code == 302 and told["Location"] == reverse("cases:shared_with_me")


def test_break_glass_opens_restricted_notes_for_an_hour_loudly(as_fresh_user, as_user, carla,
                                                              olaf, case, audit_since):
    from cases import services

    services.note_create(case=case, category="medical", body="Insulin twice a day",
                         acting_user=olaf)
    notes = reverse("cases:notes", args=[case.pk])
    client = as_fresh_user(carla)
    assert b"Insulin" not in client.get(notes).content
    response = client.post(reverse("cases:break_glass", args=[case.pk]),
                           {"reason": "Hospital asks for the medication"})
    assert response.status_code == 302
    assert b"Insulin" in client.get(notes).content
    event = recorded(audit_since, Action.BREAK_GLASS)[0]
    assert event.facts["break_glass"] is True and "Hospital" not in str(event.facts)
    opening = BreakGlass.objects.get()
    assert opening.expires_at - opening.opened_at == datetime.timedelta(hours=1)
    dashboard = as_user(carla).get(reverse("dashboard"))
    assert any(p.get("template") == "sharing/panel_break_glass.html" and p["openings"]
               for p in dashboard.context["panels"])


def test_the_break_glass_panel_names_each_case_and_user_in_one_query(as_user, carla, case):
    """The panel reads only the columns it shows; a second opening adds no query (nothing it
    shows is left to load per row) and no case content reaches it."""
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from cases.sharing.panels import break_glass_panel
    from cases.sharing.services import break_glass_open
    from tests.factories import count_queries

    request = RequestFactory().get("/")
    request.user = carla

    def panel_html():
        panel = break_glass_panel(request)
        return render_to_string(panel["template"], {"panel": panel}, request=request)

    break_glass_open(case=case, acting_user=carla, reason="Hospital asks")
    one = count_queries(panel_html)
    other = make_case(carla, code_name="Kestrel", legal_name="Other Person")
    old = break_glass_open(case=other, acting_user=carla, reason="Police asks")
    BreakGlass.objects.filter(pk=old.pk).update(
        expires_at=old.opened_at - datetime.timedelta(seconds=1))
    assert count_queries(panel_html) == one == 1
    page = as_user(carla).get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    panel = page[page.index('id="break-glass-heading"'):]
    panel = panel[:panel.index("</section>")]
    assert panel.count("<li>") == 2 and panel.count("Active") == 1
    assert panel.index("Kestrel") < panel.index("Heron")  # newest first
    assert f'href="{reverse("cases:history", args=[case.pk])}"' in panel
    assert carla.full_name in panel
    assert "Ana María" not in panel and "Other Person" not in panel and "asks" not in panel


def test_break_glass_expires(carla, olaf, case):
    from cases.sharing.services import break_glass_open

    opening = break_glass_open(case=case, acting_user=carla, reason="x")
    BreakGlass.objects.filter(pk=opening.pk).update(
        expires_at=opening.opened_at - datetime.timedelta(seconds=1))
    fresh = type(carla).objects.get(pk=carla.pk)
    assert not policies.can_view_note_category(fresh, case, "medical")


@pytest.mark.parametrize("persona", ["olaf", "otto", "pia", "aud"])
def test_only_coordinators_break_the_glass(request, as_fresh_user, case, persona):
    user = request.getfixturevalue(persona)
    response = as_fresh_user(user).post(reverse("cases:break_glass", args=[case.pk]),
                                        {"reason": "curious"})
    assert response.status_code == 404 and not BreakGlass.objects.exists()


def test_a_partner_is_not_told_that_other_notes_exist(as_user, carla, olaf, pia, case):
    from cases import services

    services.note_create(case=case, category="medical", body="Insulin", acting_user=olaf)
    services.note_create(case=case, category="general", body="Arrives by train",
                         acting_user=olaf)
    make_share(case, carla, user=pia, sections=["notes.general"])
    response = as_user(pia).get(reverse("cases:notes", args=[case.pk]))
    assert b"Arrives by train" in response.content and b"Insulin" not in response.content
    assert response.context["withheld"] == 0


SHARING_ROUTES = {"cases:shared_with_me": "access_shared_with_me",
                  "cases:sharing": "access_sharing", "cases:share_revoke": "access_share",
                  "cases:break_glass": "access_break_glass"}


def test_every_sharing_route_names_its_guard():
    found = {name: [g.__name__ for g in guards_of(pattern.callback)]
             for name, pattern in walk(get_resolver().url_patterns) if name in SHARING_ROUTES}
    assert found == {name: [guard] for name, guard in SHARING_ROUTES.items()}


def test_a_revoke_is_confirmed_and_a_foreign_share_is_refused(as_user, carla, olaf, pia, case,
                                                              audit_since):
    share = make_share(case, carla, user=pia)
    other = make_share(make_case(carla, code_name="Ibis"), carla, user=pia)
    client = as_user(olaf)
    assert client.get(reverse("cases:share_revoke", args=[case.pk, share.pk])).status_code == 200
    response = client.post(reverse("cases:share_revoke", args=[case.pk, other.pk]),
                           {"confirmed": "1"})
    assert response.status_code == 404
    assert not CaseShare.objects.filter(revoked_at__isnull=False).exists()
    assert [e.section for e in recorded(audit_since, Action.REFUSED)] == ["sharing"]
