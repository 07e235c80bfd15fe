"""Single sign-on through a real OpenID provider on loopback (tests/oidc): the whole code flow
with PKCE, state and nonce, driven over HTTP; what reaches the session, the users table and
the access log."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from shelter.accounts import services
from shelter.accounts.methods import SIGN_IN_METHOD
from shelter.accounts.models import ProviderMFADevice, User
from shelter.accounts.recent import OTP_VERIFIED_AT
from shelter.accounts.roles import Role
from shelter.accounts.sso import subject_of
from shelter.audit.actions import Action
from tests.factories import fresh_client, head_seq, recorded, verified_client

START = "/accounts/sso/start/"
NEW = "new.officer@example.org"


@pytest.fixture
def sso(oidc, settings, db):
    """Single sign-on on, against the provider; discovery not cached from another test."""
    settings.SHELTER_OIDC_ISSUER = oidc.issuer
    settings.SHELTER_OIDC_CLIENT_ID = oidc.client_id
    settings.SHELTER_OIDC_CLIENT_SECRET = oidc.client_secret
    oidc.allow_redirects("http://testserver")
    cache.clear()
    yield oidc
    cache.clear()


@pytest.fixture
def invited(carla, municipality) -> User:
    user, _path = services.user_invite(email=NEW, full_name="New Officer",
                                       role=Role.CASE_OFFICER, organisation=municipality,
                                       acting_user=carla)
    return user


def account(sub: str, email: str = NEW, **claims) -> dict:
    return {"sub": sub, "email": email, "email_verified": True, "amr": ["pwd"], **claims}


def link(user: User, oidc, sub: str) -> None:
    User.objects.filter(pk=user.pk).update(
        oidc_subject=subject_of({"iss": oidc.issuer, "sub": sub}))


def refusals(since: int) -> list[dict]:
    return [{"actor": e.actor_id, "outcome": e.outcome, **e.facts}
            for e in recorded(since, Action.SIGN_IN_FAILED)]


def assert_signed_out(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")


def test_an_invited_officer_is_linked_and_asked_to_enrol(sso, invited):
    sso.set_accounts(account("officer-1"))
    since = head_seq()
    response = sso.login_via_http(Client(), START, "officer-1")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/enrol/")
    invited.refresh_from_db()
    assert invited.oidc_subject == subject_of({"iss": sso.issuer, "sub": "officer-1"})
    [linked] = recorded(since, Action.SSO_LINK)
    assert linked.facts == {"via": "invitation"} and linked.target_id == str(invited.pk)
    assert "officer-1" not in str([e.facts for e in recorded(since)])
    assert not ProviderMFADevice.objects.filter(user=invited).exists()


def test_a_second_sign_in_uses_the_link_not_the_address(sso, invited):
    sso.set_accounts(account("officer-1"))
    sso.login_via_http(Client(), START, "officer-1")
    sso.set_accounts(account("officer-1", email="changed@example.org", email_verified=False))
    response = sso.login_via_http(Client(), START, "officer-1")
    assert response["Location"].startswith("/accounts/enrol/")


def test_provider_mfa_signs_in_with_method_sso_mfa(sso, invited):
    sso.set_accounts(account("officer-1", amr=["pwd", "mfa"]))
    client = Client()
    since = head_seq()
    response = sso.login_via_http(client, f"{START}?next=/cases/", "officer-1")
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert client.session[SIGN_IN_METHOD] == "sso+mfa"
    # The second factor is as recent as the login at the provider, not as this request.
    assert client.session[OTP_VERIFIED_AT] <= time.time()
    assert client.get("/").status_code == 200
    [verified] = recorded(since, Action.OTP_VERIFIED)
    assert verified.facts["device"] == "mfa" and verified.facts["method"] == "sso+mfa"
    [first_step] = recorded(since, Action.SIGN_IN)
    assert first_step.facts == {"factor": "sso"}


def test_amr_without_mfa_still_asks_for_shelters_code(sso, olaf):
    link(olaf, sso, "olaf-sub")
    sso.set_accounts(account("olaf-sub", email=olaf.email, amr=["pwd", "otp"]))
    client = Client()
    response = sso.login_via_http(client, START, "olaf-sub")
    assert response["Location"].startswith("/accounts/verify/")
    assert client.get("/").status_code == 302  # not yet through the second step


def test_a_configured_acr_counts_as_mfa(sso, olaf, settings):
    settings.SHELTER_OIDC_MFA_ACR = ["urn:example:loa:2"]
    link(olaf, sso, "olaf-sub")
    sso.set_accounts(account("olaf-sub", email=olaf.email, acr="urn:example:loa:2"))
    client = Client()
    assert sso.login_via_http(client, START, "olaf-sub")["Location"] == "/"
    assert client.session[SIGN_IN_METHOD] == "sso+mfa"


@pytest.mark.parametrize("claims, reason", [
    ({"sub": "stranger", "email": "nobody@example.org"}, "not_invited"),
    ({"sub": "stranger", "email": NEW, "email_verified": False}, "not_invited"),
    ({"sub": "stranger", "email": "olaf@example.org"}, "not_invited"),  # accepted: e-mail only
])
def test_identities_without_an_invitation_are_refused_and_nothing_is_created(
        sso, invited, olaf, claims, reason):
    sso.set_accounts(account(**claims))
    users, since = User.objects.count(), head_seq()
    client = Client()
    response = sso.login_via_http(client, START, claims["sub"])
    assert response.status_code == 403
    assert b"Ask your coordinator for an invitation" in response.content
    assert User.objects.count() == users
    assert not User.objects.exclude(oidc_subject=None).exists()
    assert refusals(since) == [{"actor": None, "outcome": "refused", "factor": "sso",
                                "reason": reason}]
    assert_signed_out(client)


def test_a_partner_may_not_use_single_sign_on(sso, pia):
    link(pia, sso, "pia-sub")
    sso.set_accounts(account("pia-sub", email=pia.email, amr=["mfa"]))
    since = head_seq()
    response = sso.login_via_http(Client(), START, "pia-sub")
    assert response.status_code == 403
    assert refusals(since) == [{"actor": pia.pk, "outcome": "refused", "factor": "sso",
                                "reason": "partner"}]


def test_a_deactivated_account_is_refused(sso, olaf):
    link(olaf, sso, "olaf-sub")
    User.objects.filter(pk=olaf.pk).update(is_active=False)
    sso.set_accounts(account("olaf-sub", email=olaf.email, amr=["mfa"]))
    since = head_seq()
    response = sso.login_via_http(Client(), START, "olaf-sub")
    assert response.status_code == 403 and b"not active" in response.content
    assert [r["reason"] for r in refusals(since)] == ["inactive"]


@pytest.mark.parametrize("mode", ["audience", "expired", "signature", "issuer", "nonce", "none"])
def test_a_tampered_id_token_is_refused(sso, olaf, mode, caplog):
    link(olaf, sso, "olaf-sub")
    sso.set_accounts(account("olaf-sub", email=olaf.email, amr=["mfa"]))
    sso.tamper(mode)
    client, since = Client(), head_seq()
    response = sso.login_via_http(client, START, "olaf-sub")
    assert response.status_code == 403
    assert b"could not be trusted" in response.content
    assert refusals(since) == [{"actor": None, "outcome": "refused", "factor": "sso",
                                "reason": "bad_token"}]
    assert_signed_out(client)
    warnings = [r.getMessage() for r in caplog.records if r.name == "shelter.accounts.sso"]
    assert warnings and all("eyJ" not in w and "olaf" not in w for w in warnings)


def test_keys_rotated_by_the_provider_are_picked_up(sso, olaf):
    link(olaf, sso, "olaf-sub")
    sso.set_accounts(account("olaf-sub", email=olaf.email, amr=["mfa"]))
    assert sso.login_via_http(Client(), START, "olaf-sub")["Location"] == "/"
    sso.rotate_keys()
    assert sso.login_via_http(Client(), START, "olaf-sub")["Location"] == "/"


def test_a_discovery_document_for_another_issuer_is_refused(sso, settings, caplog):
    # The same provider under another name: its document names 127.0.0.1, not localhost.
    settings.SHELTER_OIDC_ISSUER = sso.issuer.replace("127.0.0.1", "localhost")
    since = head_seq()
    response = Client().get(START)
    assert response.status_code == 403
    assert [r["reason"] for r in refusals(since)] == ["provider_error"]
    assert "sso: discovery refused (issuer_mismatch)" in caplog.messages


def test_the_authorization_request_carries_pkce_state_and_nonce(sso):
    location = Client().get(f"{START}?next=https://evil.example.org/")["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["scope"] == ["openid email profile"]
    assert query["redirect_uri"] == ["http://testserver/accounts/sso/callback/"]
    assert "prompt" not in query


def test_an_unsafe_next_is_replaced_by_the_dashboard(sso, olaf):
    link(olaf, sso, "olaf-sub")
    sso.set_accounts(account("olaf-sub", email=olaf.email, amr=["mfa"]))
    response = sso.login_via_http(Client(), f"{START}?next=https://evil.example.org/", "olaf-sub")
    assert response["Location"] == "/"


def test_signing_out_ends_the_providers_session_too(sso, olaf):
    link(olaf, sso, "olaf-sub")
    sso.set_accounts(account("olaf-sub", email=olaf.email, amr=["mfa"]))
    client = Client()
    sso.login_via_http(client, START, "olaf-sub")
    response = client.post(reverse("accounts:logout"))
    location = response["Location"]
    assert location.startswith(sso.issuer + "/")
    query = parse_qs(urlsplit(location).query)
    assert query["client_id"] == [sso.client_id]
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/sign-in/"]
    assert "id_token_hint" not in query
    assert_signed_out(client)
    before = sso.logouts()
    back = sso.logout_via_http(location)
    assert back == "http://testserver/accounts/sign-in/"
    assert sso.logouts() == before + 1


def test_a_password_session_signs_out_at_shelter_only(sso, olaf):
    response = fresh_client(olaf).post(reverse("accounts:logout"))
    assert response["Location"] == "/accounts/sign-in/"


def _reauth(client: Client, oidc, sub: str, next_url: str = "/cases/"):
    response = client.post(reverse("accounts:sso_reauth"), {"next": next_url})
    location = response["Location"]
    assert location.startswith(oidc.issuer + "/")
    query = parse_qs(urlsplit(location).query)
    assert query["prompt"] == ["login"] and query["max_age"] == ["0"]
    back = urlsplit(oidc.walk(location, sub))
    return client.get(f"{back.path}?{back.query}")


def _signed_in_by_sso(oidc, user: User, sub: str) -> Client:
    link(user, oidc, sub)
    oidc.set_accounts(account(sub, email=user.email, amr=["mfa"]))
    client = Client()
    oidc.login_via_http(client, START, sub)
    session = client.session
    session[OTP_VERIFIED_AT] = time.time() - 3600  # long ago: a dangerous act asks again
    session.save()
    return client


def test_confirming_again_through_the_provider(sso, olaf):
    client = _signed_in_by_sso(sso, olaf, "olaf-sub")
    page = client.get(reverse("accounts:reverify") + "?next=/cases/")
    assert b"Confirm with single sign-on" in page.content
    since = head_seq()
    response = _reauth(client, sso, "olaf-sub")
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert time.time() - client.session[OTP_VERIFIED_AT] < 60
    [again] = recorded(since, Action.OTP_VERIFIED)
    assert again.facts["device"] == "mfa"


def test_confirming_again_as_someone_else_is_refused(sso, olaf, otto):
    client = _signed_in_by_sso(sso, olaf, "olaf-sub")
    sso.set_accounts(account("olaf-sub", email=olaf.email, amr=["mfa"]),
                     account("otto-sub", email=otto.email, amr=["mfa"]))
    sso.agent = requests.Session()  # another person at the provider (its own browser session)
    since = head_seq()
    response = _reauth(client, sso, "otto-sub")
    assert response.status_code == 403
    assert [r["reason"] for r in refusals(since)] == ["reauth_mismatch"]
    assert time.time() - client.session[OTP_VERIFIED_AT] > 600


def test_confirming_again_without_provider_mfa_asks_for_a_code(sso, olaf):
    client = _signed_in_by_sso(sso, olaf, "olaf-sub")
    sso.set_accounts(account("olaf-sub", email=olaf.email, amr=["pwd"]))
    response = _reauth(client, sso, "olaf-sub")
    assert response["Location"].startswith(reverse("accounts:reverify"))
    assert time.time() - client.session[OTP_VERIFIED_AT] > 600


def test_the_confirm_page_offers_no_provider_button_to_a_password_session(sso, olaf):
    page = fresh_client(olaf).get(reverse("accounts:reverify"))
    assert b"Confirm with single sign-on" not in page.content


def test_a_signed_in_officer_links_their_account_from_the_security_page(sso, olaf):
    sso.set_accounts(account("olaf-sub", email="other-address@example.org"))
    client = fresh_client(olaf)
    since = head_seq()
    response = _reauth_like_link(client, sso, "olaf-sub")
    assert response.status_code == 302
    olaf.refresh_from_db()
    assert olaf.oidc_subject == subject_of({"iss": sso.issuer, "sub": "olaf-sub"})
    [linked] = recorded(since, Action.SSO_LINK)
    assert linked.facts == {"via": "security_page"} and linked.actor_id == olaf.pk


def test_an_identity_linked_elsewhere_cannot_be_linked_again(sso, olaf, otto):
    link(otto, sso, "shared-sub")
    sso.set_accounts(account("shared-sub", email=olaf.email))
    since = head_seq()
    response = _reauth_like_link(fresh_client(olaf), sso, "shared-sub")
    assert response.status_code == 403
    assert [r["reason"] for r in refusals(since)] == ["link_taken"]
    olaf.refresh_from_db()
    assert olaf.oidc_subject is None


def _reauth_like_link(client: Client, oidc, sub: str):
    response = client.post(reverse("accounts:sso_link"), {"next": "/"})
    location = response["Location"]
    assert location.startswith(oidc.issuer + "/"), location
    assert parse_qs(urlsplit(location).query)["prompt"] == ["login"]
    back = urlsplit(oidc.walk(location, sub))
    return client.get(f"{back.path}?{back.query}")


def test_leaving_the_required_group_deactivates_the_account(sso, olaf, settings):
    settings.SHELTER_OIDC_GROUPS_CLAIM, settings.SHELTER_OIDC_REQUIRED_GROUP = "groups", "shelter"
    link(olaf, sso, "olaf-sub")
    sso.set_accounts(account("olaf-sub", email=olaf.email, amr=["mfa"], groups=["finance"]))
    since = head_seq()
    response = sso.login_via_http(Client(), START, "olaf-sub")
    assert response.status_code == 403
    olaf.refresh_from_db()
    assert not olaf.is_active and olaf.role == Role.CASE_OFFICER
    [deactivated] = recorded(since, Action.USER_DEACTIVATE)
    assert deactivated.facts == {"by": "sso_group"} and deactivated.actor_id is None
    assert [r["reason"] for r in refusals(since)] == ["not_in_group"]


def test_a_member_of_the_group_signs_in_and_a_missing_claim_proves_nothing(sso, olaf, settings):
    settings.SHELTER_OIDC_GROUPS_CLAIM, settings.SHELTER_OIDC_REQUIRED_GROUP = "groups", "shelter"
    link(olaf, sso, "olaf-sub")
    sso.set_accounts(account("olaf-sub", email=olaf.email, amr=["mfa"], groups=["shelter"]))
    assert sso.login_via_http(Client(), START, "olaf-sub")["Location"] == "/"
    sso.set_accounts(account("olaf-sub", email=olaf.email, amr=["mfa"]))
    since = head_seq()
    assert sso.login_via_http(Client(), START, "olaf-sub").status_code == 403
    olaf.refresh_from_db()
    assert olaf.is_active
    assert [r["reason"] for r in refusals(since)] == ["provider_error"]


def test_an_account_kept_by_provider_mfa_is_not_enrolled_by_a_password_only_token(sso, invited):
    sso.set_accounts(account("officer-1", amr=["mfa"]))
    sso.login_via_http(Client(), START, "officer-1")
    sso.set_accounts(account("officer-1", amr=["pwd"]))
    sso.agent = requests.Session()  # a new login at the provider, with the password only
    client, since = Client(), head_seq()
    response = sso.login_via_http(client, START, "officer-1")
    assert response.status_code == 403
    assert b"did not confirm a second factor" in response.content
    assert [r["reason"] for r in refusals(since)] == ["no_mfa"]
    assert client.get(reverse("accounts:enrol")).status_code == 302
    assert_signed_out(client)


@pytest.mark.parametrize("query, reason", [
    ("", "state"),
    ("?code=abc", "state"),
    ("?code=abc&state=never-issued", "state"),
    ("?error=access_denied&state=x", "provider_error"),
    ("?state=%00%ff&code=%%", "state"),
])
def test_bad_answers_at_the_callback_get_the_refusal_page(sso, query, reason):
    since = head_seq()
    response = Client().get(f"/accounts/sso/callback/{query}")
    assert response.status_code == 403
    assert [r["reason"] for r in refusals(since)] == [reason]


def test_an_answer_is_used_once(sso, olaf):
    link(olaf, sso, "olaf-sub")
    sso.set_accounts(account("olaf-sub", email=olaf.email, amr=["mfa"]))
    client = Client()
    location = client.get(START)["Location"]
    back = urlsplit(sso.walk(location, "olaf-sub"))
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    assert client.get(f"{back.path}?{back.query}").status_code == 403


def test_the_sign_in_page_shows_the_button_only_when_configured(sso, settings):
    settings.SHELTER_OIDC_BUTTON_LABEL = "Gemeente Account"
    page = Client().get("/accounts/sign-in/?next=/cases/")
    assert b"Sign in with Gemeente Account" in page.content
    assert b'href="/accounts/sso/start/?next=%2Fcases%2F"' in page.content
    settings.SHELTER_OIDC_ISSUER = ""
    page = Client().get("/accounts/sign-in/")
    assert b"/accounts/sso/start/" not in page.content
    assert Client().get(START).status_code == 404


def test_form_action_allows_the_provider_only_when_single_sign_on_is_on(sso, settings):
    origin = sso.issuer  # scheme://host:port, no path
    policy = Client().get("/accounts/sign-in/")["Content-Security-Policy"]
    assert f"form-action 'self' {origin};" in policy
    settings.SHELTER_OIDC_ISSUER = ""
    policy = Client().get("/accounts/sign-in/")["Content-Security-Policy"]
    assert "form-action 'self';" in policy


def test_a_stale_link_intent_is_dropped(sso, olaf):
    sso.set_accounts(account("olaf-sub", email=olaf.email))
    client = fresh_client(olaf)
    location = client.post(reverse("accounts:sso_link"), {"next": "/"})["Location"]
    session = client.session
    for entry in session["oidc_states"].values():
        entry["shelter"]["at"] -= 11 * 60
    session.save()
    back = urlsplit(sso.walk(location, "olaf-sub"))
    since = head_seq()
    assert client.get(f"{back.path}?{back.query}").status_code == 403
    assert [r["reason"] for r in refusals(since)] == ["state"]
    olaf.refresh_from_db()
    assert olaf.oidc_subject is None


def test_linking_needs_a_recent_second_factor(sso, olaf):
    response = verified_client(olaf).post(reverse("accounts:sso_link"), {"next": "/"})
    assert response["Location"].startswith(reverse("accounts:reverify"))


def test_linking_by_invitation_with_a_non_members_token_deactivates_nobody(sso, invited,
                                                                          settings):
    """A token from outside the group that carries the invitee's address is refused, but the
    invitee (who may not be its owner) stays active and unlinked."""
    settings.SHELTER_OIDC_GROUPS_CLAIM, settings.SHELTER_OIDC_REQUIRED_GROUP = "groups", "shelter"
    sso.set_accounts(account("stranger", groups=["finance"]))
    since = head_seq()
    response = sso.login_via_http(Client(), START, "stranger")
    assert response.status_code == 403
    invited.refresh_from_db()
    assert invited.is_active and invited.oidc_subject is None
    assert recorded(since, Action.USER_DEACTIVATE) == []
    assert [r["reason"] for r in refusals(since)] == ["not_in_group"]


def test_confirming_again_after_leaving_the_group_is_refused_and_deactivates(sso, olaf,
                                                                            settings):
    client = _signed_in_by_sso(sso, olaf, "olaf-sub")
    settings.SHELTER_OIDC_GROUPS_CLAIM, settings.SHELTER_OIDC_REQUIRED_GROUP = "groups", "shelter"
    sso.set_accounts(account("olaf-sub", email=olaf.email, amr=["mfa"], groups=["finance"]))
    since = head_seq()
    response = _reauth(client, sso, "olaf-sub")
    assert response.status_code == 403
    assert [r["reason"] for r in refusals(since)] == ["not_in_group"]
    olaf.refresh_from_db()
    assert not olaf.is_active
    assert recorded(since, Action.OTP_VERIFIED) == []


@pytest.mark.parametrize("body", [[], "a string", 3, None])
def test_a_token_answer_that_is_not_an_object_is_a_provider_error(sso, olaf, monkeypatch,
                                                                  body, caplog):
    """The provider's token endpoint answers JSON that is no object: a refusal, not a 500."""
    import mozilla_django_oidc.auth as library

    link(olaf, sso, "olaf-sub")
    sso.set_accounts(account("olaf-sub", email=olaf.email, amr=["mfa"]))
    real_post = library.requests.post

    def post(url, *args, **kwargs):
        response = real_post(url, *args, **kwargs)
        response._content = __import__("json").dumps(body).encode()
        return response

    monkeypatch.setattr(library.requests, "post", post)
    since = head_seq()
    response = sso.login_via_http(Client(), START, "olaf-sub")
    assert response.status_code == 403
    assert [r["reason"] for r in refusals(since)] == ["provider_error"]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
