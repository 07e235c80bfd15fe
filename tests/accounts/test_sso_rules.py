"""The single sign-on rules on their own (shelter.accounts.sso), without a provider: who may
come in, the group claim, the MFA rule, and the link service."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import authenticate

from shelter.accounts import services, sso
from shelter.accounts.models import User
from shelter.accounts.roles import Role
from shelter.audit.actions import Action
from tests.factories import PASSWORD, head_seq, recorded

ISSUER = "https://idp.example.org/realms/city"
NEW = "new.officer@example.org"


@pytest.fixture(autouse=True)
def _sso_on(settings, db):
    settings.SHELTER_OIDC_ISSUER = ISSUER
    settings.SHELTER_OIDC_CLIENT_ID = "shelter"
    settings.SHELTER_OIDC_CLIENT_SECRET = "secret"


@pytest.fixture
def invited(carla, municipality) -> User:
    return services.user_invite(email=NEW, full_name="New Officer", role=Role.CASE_OFFICER,
                                organisation=municipality, acting_user=carla)[0]


def claims(sub: str = "sub-1", **values) -> dict:
    return {"iss": ISSUER, "sub": sub, "email": NEW, "email_verified": True, **values}


def reason(claim_values: dict) -> str:
    with pytest.raises(sso.Refused) as refused:
        sso.user_for_sign_in(claim_values)
    return refused.value.reason


def test_a_pending_invitation_with_a_verified_address_is_linked(invited):
    since = head_seq()
    assert sso.user_for_sign_in(claims()) == invited
    invited.refresh_from_db()
    assert invited.oidc_subject == sso.subject_of(claims()) != "sub-1"
    assert len(invited.oidc_subject) == 64
    [linked] = recorded(since, Action.SSO_LINK)
    assert linked.facts == {"via": "invitation"}


def test_linking_uses_the_invitation_up(carla, municipality, client):
    user, path = services.user_invite(email=NEW, full_name="New Officer", role=Role.CASE_OFFICER,
                                      organisation=municipality, acting_user=carla)
    assert client.get(path).status_code == 200
    sso.user_for_sign_in(claims())
    assert client.get(path).status_code == 404
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_the_address_is_compared_lowercased(invited):
    assert sso.user_for_sign_in(claims(email=NEW.upper())) == invited


@pytest.mark.parametrize("values", [
    {"email_verified": False}, {"email_verified": "true"}, {"email_verified": None},
    {"email": None}, {"email": "new.officér@example.org"}, {"email": ["x"]},
])
def test_an_address_not_stated_as_verified_links_nothing(invited, values):
    assert reason(claims(**values)) == "not_invited"
    invited.refresh_from_db()
    assert invited.oidc_subject is None


def test_an_accepted_account_is_not_found_by_its_address(olaf):
    assert reason(claims(email=olaf.email)) == "not_invited"
    olaf.refresh_from_db()
    assert olaf.oidc_subject is None


def test_an_invitation_accepted_with_a_password_is_no_longer_pending(invited):
    services.user_accept_invitation(user=invited, password=PASSWORD)
    assert reason(claims()) == "not_invited"


def test_an_invitation_linked_to_another_identity_is_not_linked_again(invited):
    sso.user_for_sign_in(claims("sub-1"))
    assert reason(claims("sub-2")) == "not_invited"
    invited.refresh_from_db()
    assert invited.oidc_subject == sso.subject_of(claims("sub-1"))


def test_an_unknown_identity_creates_nobody():
    users = User.objects.count()
    assert reason(claims(email="nobody@example.org")) == "not_invited"
    assert User.objects.count() == users


def test_a_linked_identity_needs_no_address(invited):
    sso.user_for_sign_in(claims())
    assert sso.user_for_sign_in({"iss": ISSUER, "sub": "sub-1"}) == invited


def test_the_same_sub_at_another_issuer_is_another_identity(invited):
    sso.user_for_sign_in(claims())
    assert sso.subject_of({"iss": "https://other.example", "sub": "sub-1"}) != \
        sso.subject_of(claims())


def test_a_deactivated_invitation_is_refused_as_inactive(invited, carla):
    services.user_set_active(user=invited, active=False, acting_user=carla)
    assert reason(claims()) == "inactive"


def test_a_partner_invitation_is_refused(ngo, carla):
    services.user_invite(email=NEW, full_name="P", role=Role.PARTNER, organisation=ngo,
                         acting_user=carla)
    assert reason(claims()) == "partner"
    assert not User.objects.exclude(oidc_subject=None).exists()


# --- linking: one identity, one account ------------------------------------------------------
def test_a_second_link_of_one_account_is_refused_without_an_exception(invited):
    assert services.user_link_sso(user=invited, subject="a" * 64, via="invitation")
    stale = User.objects.get(pk=invited.pk)
    stale.oidc_subject = None  # as another request read it before the first link
    assert not services.user_link_sso(user=stale, subject="b" * 64, via="invitation")
    assert User.objects.get(pk=invited.pk).oidc_subject == "a" * 64


def test_one_identity_is_linked_to_one_account_at_most(invited, olaf):
    assert services.user_link_sso(user=invited, subject="a" * 64, via="invitation")
    since = head_seq()
    assert not services.user_link_sso(user=olaf, subject="a" * 64, via="security_page")
    assert recorded(since, Action.SSO_LINK) == []


def test_losing_a_race_for_the_identity_is_a_refusal_not_an_error(invited, olaf, monkeypatch):
    # The other request's link lands between the check and the UPDATE: the unique index says no.
    services.user_link_sso(user=olaf, subject="c" * 64, via="security_page")
    real_filter = User.objects.filter

    def blind_filter(*args, **kwargs):
        query = real_filter(*args, **kwargs)
        if kwargs == {"oidc_subject": "c" * 64}:
            return real_filter(pk=-1)  # the check does not see the other link yet
        return query

    monkeypatch.setattr(User.objects, "filter", blind_filter)
    assert services.user_link_sso(user=invited, subject="c" * 64, via="invitation") is False
    monkeypatch.undo()
    assert User.objects.get(pk=invited.pk).oidc_subject is None


# --- the group claim --------------------------------------------------------------------------
@pytest.fixture
def groups(settings):
    settings.SHELTER_OIDC_GROUPS_CLAIM, settings.SHELTER_OIDC_REQUIRED_GROUP = "groups", "shelter"


def test_outside_the_group_the_account_is_deactivated(groups, olaf):
    since = head_seq()
    with pytest.raises(sso.Refused) as refused:
        sso.check_groups(claims(groups=["finance"]), olaf)
    assert refused.value.reason == "not_in_group"
    olaf.refresh_from_db()
    assert not olaf.is_active and olaf.role == Role.CASE_OFFICER
    [event] = recorded(since, Action.USER_DEACTIVATE)
    assert event.facts == {"by": "sso_group"}


def test_the_group_grants_nothing(groups, olaf):
    before = (olaf.role, olaf.is_active)
    sso.check_groups(claims(groups=["shelter", "coordinator", "Coordinator"]), olaf)
    olaf.refresh_from_db()
    assert (olaf.role, olaf.is_active) == before


@pytest.mark.parametrize("values", [
    {}, {"groups": "shelter"},
    {"groups": [], "_claim_names": {"groups": "src1"}},  # Entra: too many groups for the token
    {"hasgroups": True},
])
def test_a_missing_or_overflowing_claim_proves_nothing(groups, olaf, values):
    with pytest.raises(sso.Refused) as refused:
        sso.check_groups(claims(**values), olaf)
    assert refused.value.reason == "provider_error"
    olaf.refresh_from_db()
    assert olaf.is_active


def test_without_the_setting_groups_are_not_looked_at(olaf):
    sso.check_groups(claims(groups=["finance"]), olaf)
    olaf.refresh_from_db()
    assert olaf.is_active


# --- the MFA rule -----------------------------------------------------------------------------
@pytest.mark.parametrize("values, proven", [
    ({"amr": ["pwd", "mfa"]}, True),
    ({"amr": ["mfa"]}, True),
    ({"amr": ["pwd"]}, False),
    ({"amr": ["pwd", "otp"]}, False),
    ({"amr": ["hwk"]}, False),
    ({"amr": "mfa"}, False),  # not a list: not what the standard says, so not believed
    ({}, False),
    ({"acr": "urn:example:loa:2"}, True),
    ({"acr": "urn:example:loa:1"}, False),
    ({"acr": ["urn:example:loa:2"]}, False),
])
def test_provider_mfa_counts_only_when_the_token_proves_it(settings, values, proven):
    settings.SHELTER_OIDC_MFA_ACR = ["urn:example:loa:2"]
    assert sso.mfa_proven(claims(**values)) is proven


def test_a_fresh_login_is_one_of_the_last_minutes():
    assert sso.fresh_login({"auth_time": int(time.time()) - 10})
    assert not sso.fresh_login({"auth_time": int(time.time()) - 3600})
    assert not sso.fresh_login({})
    assert not sso.fresh_login({"auth_time": True})


# --- the backend ------------------------------------------------------------------------------
def test_the_backend_signs_nobody_in_through_authenticate(olaf):
    backend = sso.ShelterOIDCBackend()
    assert backend.authenticate(None, username=olaf.email, password=PASSWORD) is None
    # The password backend, first in the list, still does.
    assert authenticate(None, username=olaf.email, password=PASSWORD) == olaf


def test_the_backend_keeps_no_session_of_an_inactive_account(olaf, carla):
    backend = sso.ShelterOIDCBackend()
    assert backend.get_user(olaf.pk) == olaf
    services.user_set_active(user=olaf, active=False, acting_user=carla)
    assert backend.get_user(olaf.pk) is None


def test_safety_settings_of_the_library_are_fixed():
    assert sso.oidc_setting("OIDC_USE_PKCE") is True
    assert sso.oidc_setting("OIDC_USE_NONCE") is True
    assert sso.oidc_setting("OIDC_PKCE_CODE_CHALLENGE_METHOD") == "S256"
    assert sso.oidc_setting("OIDC_CREATE_USER") is False
    assert sso.oidc_setting("OIDC_ALLOW_UNSECURED_JWT") is False
    assert sso.oidc_setting("OIDC_STORE_ID_TOKEN") is False


# --- the security page's part ----------------------------------------------------------------
def _render_link_form(user) -> str:
    from django.template import RequestContext, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/accounts/security/")
    request.user = user
    return Template("{% load sso_tags %}{% sso_link_form %}").render(RequestContext(request))


def test_the_security_page_offers_linking_to_staff_not_yet_linked(olaf):
    html = _render_link_form(olaf)
    assert 'action="/accounts/sso/link/"' in html and "csrfmiddlewaretoken" in html
    assert 'name="next" value="/accounts/security/"' in html


def test_a_linked_account_is_told_so_and_partners_see_nothing(olaf, pia, settings):
    services.user_link_sso(user=olaf, subject="d" * 64, via="security_page")
    assert "sso-linked" in _render_link_form(olaf)
    assert _render_link_form(pia).strip() == ""
    settings.SHELTER_OIDC_ISSUER = ""
    assert "sso/link" not in _render_link_form(olaf)


def test_every_refusal_reason_has_advice_for_the_person():
    from shelter.accounts.views_sso import ADVICE

    assert set(ADVICE) == set(sso.REASONS)
