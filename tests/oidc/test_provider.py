"""The test OpenID provider does what the single sign-on tests rely on.

Driven directly with requests, as a relying party would: discovery, the code flow with PKCE, ID
tokens checked with PyJWT against the published JWKS, each tampering, key rotation, forced
re-authentication and RP-initiated logout."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from django.http import HttpResponse, HttpResponseRedirect

RP = "http://rp.test"
REDIRECT_URI = RP + "/accounts/sso/callback/"
SIGNED_OUT_URI = RP + "/accounts/sign-in/"
ALICE = {"sub": "alice-0001", "email": "alice@example.org", "email_verified": True,
         "amr": ["pwd", "otp", "mfa"], "acr": "urn:shelter:test:mfa", "groups": ["officers"]}
BOB = {"sub": "bob-0002", "email": "bob@example.org", "email_verified": False, "amr": ["pwd"],
       "acr": "urn:shelter:test:pwd"}


@pytest.fixture
def provider(oidc):
    oidc.allow_redirects(RP)
    oidc.set_accounts(ALICE, BOB)
    return oidc


def discovery(oidc) -> dict:
    return requests.get(oidc.discovery_url, timeout=10).json()


def authorize_url(oidc, **params) -> tuple[str, dict]:
    """An authorization request with PKCE, state and nonce; returns it and what was sent."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    sent = {"response_type": "code", "client_id": oidc.client_id, "redirect_uri": REDIRECT_URI,
            "scope": "openid email", "state": secrets.token_urlsafe(16),
            "nonce": secrets.token_urlsafe(16), "code_challenge_method": "S256",
            "code_challenge": challenge.rstrip(b"=").decode(), **params}
    sent = {key: value for key, value in sent.items() if value is not None}
    return f"{discovery(oidc)['authorization_endpoint']}?{urlencode(sent)}", sent | {
        "code_verifier": verifier}


def query_of(location: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def redeem(oidc, code: str, verifier: str, auth: str = "basic", secret: str | None = None,
           redirect_uri: str = REDIRECT_URI):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": verifier}
    secret = oidc.client_secret if secret is None else secret
    basic = None
    if auth == "basic":
        basic = (oidc.client_id, secret)
    else:
        data |= {"client_id": oidc.client_id, "client_secret": secret}
    return requests.post(discovery(oidc)["token_endpoint"], data=data, auth=basic, timeout=10)


def sign_in(oidc, sub: str, auth: str = "basic", **params) -> tuple[dict, dict]:
    """A whole code flow as `sub`: the token response and what the request sent."""
    url, sent = authorize_url(oidc, **params)
    back = query_of(oidc.walk(url, sub))
    assert back["state"] == sent["state"] and "code" in back, back
    tokens = redeem(oidc, back["code"], sent["code_verifier"], auth)
    assert tokens.status_code == 200, tokens.text
    return tokens.json(), sent


def jwks(oidc) -> jwt.PyJWKSet:
    return jwt.PyJWKSet.from_dict(requests.get(discovery(oidc)["jwks_uri"], timeout=10).json())


def verified(oidc, id_token: str, keys: jwt.PyJWKSet | None = None) -> dict:
    kid = jwt.get_unverified_header(id_token)["kid"]
    key = (keys or jwks(oidc))[kid]
    return jwt.decode(id_token, key, algorithms=["RS256"], audience=oidc.client_id,
                      issuer=oidc.issuer)


def login_page_shown(oidc, url: str) -> bool:
    """Follow the provider's redirects from url with the same browser: does it ask to sign in?"""
    for _ in range(10):
        page = oidc.agent.get(url, allow_redirects=False, timeout=10)
        if page.status_code == 200:
            return 'name="login"' in page.text
        url = requests.compat.urljoin(url, page.headers["Location"])
        if not url.startswith(oidc.issuer):
            return False
    raise AssertionError("too many redirects")


def test_discovery_names_the_issuer_its_endpoints_and_only_s256(provider):
    meta = discovery(provider)
    assert meta["issuer"] == provider.issuer
    assert provider.issuer.startswith("http://127.0.0.1:")
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["end_session_endpoint"] == provider.issuer + "/session/end"
    assert meta["jwks_uri"].startswith(provider.issuer)
    assert {"client_secret_basic", "client_secret_post"} <= set(
        meta["token_endpoint_auth_methods_supported"])
    assert "RS256" in meta["id_token_signing_alg_values_supported"]


@pytest.mark.parametrize("auth", ["basic", "post"])
def test_code_flow_with_pkce_gives_an_id_token_the_jwks_verifies(provider, auth):
    before = int(time.time())
    tokens, sent = sign_in(provider, ALICE["sub"], auth)
    claims = verified(provider, tokens["id_token"])
    assert claims["sub"] == ALICE["sub"]
    assert claims["email"] == ALICE["email"] and claims["email_verified"] is True
    assert claims["amr"] == ["pwd", "otp", "mfa"]
    assert claims["acr"] == "urn:shelter:test:mfa"
    assert claims["groups"] == ["officers"]
    assert claims["nonce"] == sent["nonce"]
    assert before - 1 <= claims["auth_time"] <= int(time.time()) + 1
    assert jwt.get_unverified_header(tokens["id_token"])["alg"] == "RS256"


def test_an_account_without_groups_has_no_groups_claim(provider):
    tokens, _ = sign_in(provider, BOB["sub"])
    claims = verified(provider, tokens["id_token"])
    assert "groups" not in claims
    assert claims["email_verified"] is False and claims["amr"] == ["pwd"]


def test_the_provider_sends_its_own_pages_back_to_shelter_through_login_via_http(provider):
    """login_via_http with a stand-in for Shelter: its start answers with the authorize URL, its
    callback receives the code (the real routes come with the single sign-on)."""
    provider.allow_redirects("http://testserver")
    callback = "http://testserver/accounts/sso/callback/"
    url, sent = authorize_url(provider, redirect_uri=callback)

    class Shelter:
        callback = None

        def get(self, path):
            if path == "/accounts/sso/start/":
                return HttpResponseRedirect("/accounts/sso/go/")
            if path == "/accounts/sso/go/":
                return HttpResponseRedirect(url)
            self.callback = path
            return HttpResponse("signed in")

    shelter = Shelter()
    response = provider.login_via_http(shelter, "/accounts/sso/start/", ALICE["sub"])
    assert response.content == b"signed in"
    assert shelter.callback.startswith("/accounts/sso/callback/?")
    back = query_of(shelter.callback)
    assert back["state"] == sent["state"]
    tokens = redeem(provider, back["code"], sent["code_verifier"], redirect_uri=callback)
    assert tokens.status_code == 200, tokens.text


def test_an_authorization_request_without_pkce_is_refused(provider):
    url, _ = authorize_url(provider, code_challenge=None, code_challenge_method=None)
    back = query_of(provider.walk(url, ALICE["sub"]))
    assert back["error"] == "invalid_request" and "code" not in back


def test_a_wrong_code_verifier_is_refused(provider):
    url, sent = authorize_url(provider)
    back = query_of(provider.walk(url, ALICE["sub"]))
    tokens = redeem(provider, back["code"], secrets.token_urlsafe(48))
    assert tokens.status_code == 400 and tokens.json()["error"] == "invalid_grant"


def test_a_wrong_client_secret_is_refused(provider):
    url, sent = authorize_url(provider)
    back = query_of(provider.walk(url, ALICE["sub"]))
    tokens = redeem(provider, back["code"], sent["code_verifier"], secret="not-the-secret")
    assert tokens.status_code == 401 and tokens.json()["error"] == "invalid_client"


def test_an_unregistered_redirect_uri_is_not_followed(provider):
    url, _ = authorize_url(provider, redirect_uri="http://elsewhere.test/callback/")
    page = provider.agent.get(url, allow_redirects=False, timeout=10)
    assert page.status_code == 400 and "redirect_uri" in page.text
    assert "Location" not in page.headers


def test_an_unknown_account_stays_on_the_login_page(provider):
    url, _ = authorize_url(provider)
    page = provider.agent.get(url, timeout=10)
    assert 'name="login"' in page.text and ">Sign in</button>" in page.text
    action = page.text.split('action="', 1)[1].split('"', 1)[0]
    again = provider.agent.post(provider.issuer + action, data={"login": "nobody"},
                                allow_redirects=False, timeout=10)
    assert again.status_code == 200 and "No such account." in again.text


@pytest.mark.parametrize("mode, error", [
    ("audience", jwt.InvalidAudienceError),
    ("expired", jwt.ExpiredSignatureError),
    ("signature", jwt.InvalidSignatureError),
    ("issuer", jwt.InvalidIssuerError),
    ("none", jwt.InvalidAlgorithmError),
])
def test_a_tampered_id_token_fails_its_check(provider, mode, error):
    provider.tamper(mode)
    tokens, _ = sign_in(provider, ALICE["sub"])
    header = jwt.get_unverified_header(tokens["id_token"])
    if mode == "none":
        assert header == {"alg": "none"} and tokens["id_token"].endswith(".")
        key = jwks(provider).keys[0]  # the published key, as a careless client would pick it
        with pytest.raises(error):
            jwt.decode(tokens["id_token"], key, algorithms=["RS256"],
                       audience=provider.client_id, issuer=provider.issuer)
        return
    assert header["kid"] in [key.key_id for key in jwks(provider).keys]
    with pytest.raises(error):
        verified(provider, tokens["id_token"])
    unverified = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert unverified["sub"] == ALICE["sub"]


def test_a_token_with_the_wrong_nonce_is_otherwise_valid(provider):
    provider.tamper("nonce")
    tokens, sent = sign_in(provider, ALICE["sub"])
    claims = verified(provider, tokens["id_token"])
    assert claims["nonce"] != sent["nonce"] and claims["sub"] == ALICE["sub"]


def test_tampering_lasts_until_turned_off(provider):
    provider.tamper("audience")
    for _ in range(2):
        tokens, _ = sign_in(provider, ALICE["sub"])
        with pytest.raises(jwt.InvalidAudienceError):
            verified(provider, tokens["id_token"])
    provider.tamper(None)
    tokens, _ = sign_in(provider, ALICE["sub"])
    assert verified(provider, tokens["id_token"])["sub"] == ALICE["sub"]


def test_an_unknown_tamper_mode_is_refused(provider):
    response = requests.post(f"{provider.issuer}/_test/tamper", json={"mode": "subtle"},
                             timeout=10)
    assert response.status_code == 400


def test_rotation_publishes_and_signs_with_a_new_key_only(provider):
    old_keys = jwks(provider)
    old_kid = old_keys.keys[0].key_id
    provider.rotate_keys()
    new_keys = jwks(provider)
    assert [key.key_id for key in new_keys.keys] != [old_kid] and len(new_keys.keys) == 1
    tokens, _ = sign_in(provider, ALICE["sub"])
    assert jwt.get_unverified_header(tokens["id_token"])["kid"] == new_keys.keys[0].key_id
    assert verified(provider, tokens["id_token"], new_keys)["sub"] == ALICE["sub"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tokens["id_token"], old_keys.keys[0], algorithms=["RS256"],
                   audience=provider.client_id)
    provider.reset()
    assert [key.key_id for key in jwks(provider).keys] == [old_kid]


def test_tampered_tokens_after_rotation_are_signed_with_the_new_key(provider):
    provider.rotate_keys()
    provider.tamper("audience")
    tokens, _ = sign_in(provider, ALICE["sub"])
    with pytest.raises(jwt.InvalidAudienceError):
        verified(provider, tokens["id_token"])  # the signature passed: the new, published key


@pytest.mark.parametrize("force", [{"prompt": "login"}, {"max_age": "0"}])
def test_prompt_login_and_max_age_0_ask_to_sign_in_again(provider, force):
    first, _ = sign_in(provider, ALICE["sub"])
    url, _ = authorize_url(provider)
    assert not login_page_shown(provider, url), "a signed-in user is not asked again"
    time.sleep(1.1)  # auth_time has a resolution of one second
    second, _ = sign_in(provider, ALICE["sub"], **force)
    url, _ = authorize_url(provider, **force)
    assert login_page_shown(provider, url)
    assert (verified(provider, second["id_token"])["auth_time"]
            > verified(provider, first["id_token"])["auth_time"])


def test_rp_initiated_logout_ends_the_session_and_is_counted(provider):
    tokens, _ = sign_in(provider, ALICE["sub"])
    assert provider.logouts() == 0
    end = discovery(provider)["end_session_endpoint"] + "?" + urlencode({
        "id_token_hint": tokens["id_token"], "post_logout_redirect_uri": SIGNED_OUT_URI,
        "state": "s1"})
    assert provider.logout_via_http(end) == SIGNED_OUT_URI + "?state=s1"
    assert provider.logouts() == 1
    url, _ = authorize_url(provider)
    assert login_page_shown(provider, url), "the provider's session is over"
    provider.reset()
    assert provider.logouts() == 0


def test_the_logout_page_sends_itself(provider):
    """A browser that reaches end_session is signed out without a click: the page submits its
    form, with the "yes", by script."""
    tokens, _ = sign_in(provider, ALICE["sub"])
    end = discovery(provider)["end_session_endpoint"] + "?" + urlencode({
        "id_token_hint": tokens["id_token"], "post_logout_redirect_uri": SIGNED_OUT_URI})
    page = provider.agent.get(end, timeout=10)
    assert 'id="op.logoutForm"' in page.text and "f.submit()" in page.text
    assert "i.name='logout';i.value='yes'" in page.text


def test_an_id_token_hint_from_before_a_rotation_still_ends_the_session(provider):
    tokens, _ = sign_in(provider, ALICE["sub"])
    provider.rotate_keys()
    end = discovery(provider)["end_session_endpoint"] + "?" + urlencode({
        "id_token_hint": tokens["id_token"], "post_logout_redirect_uri": SIGNED_OUT_URI})
    assert provider.logout_via_http(end) == SIGNED_OUT_URI
    assert provider.logouts() == 1


def test_a_post_logout_uri_that_was_not_allowed_is_refused(provider):
    tokens, _ = sign_in(provider, ALICE["sub"])
    end = discovery(provider)["end_session_endpoint"] + "?" + urlencode({
        "id_token_hint": tokens["id_token"],
        "post_logout_redirect_uri": "http://elsewhere.test/"})
    page = provider.agent.get(end, allow_redirects=False, timeout=10)
    assert page.status_code == 400 and provider.logouts() == 0


def test_reset_forgets_accounts_redirects_and_tampering(provider):
    provider.tamper("audience")
    provider.reset()
    url, _ = authorize_url(provider)
    page = provider.agent.get(url, allow_redirects=False, timeout=10)
    assert page.status_code == 400 and "redirect_uri" in page.text  # RP's address forgotten
    provider.allow_redirects(RP)
    page = provider.agent.get(url, timeout=10)
    action = page.text.split('action="', 1)[1].split('"', 1)[0]
    again = provider.agent.post(provider.issuer + action, data={"login": ALICE["sub"]},
                                allow_redirects=False, timeout=10)
    assert "No such account." in again.text  # accounts forgotten
    provider.set_accounts(ALICE)
    tokens, _ = sign_in(provider, ALICE["sub"])
    assert verified(provider, tokens["id_token"])["sub"] == ALICE["sub"]  # no tampering
