"""ID token checks (shelter.crypto.id_tokens) with keys made here: each check, on its own,
refuses a token that breaks it, and a good token passes."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from shelter.crypto.id_tokens import IdTokenInvalid, verify_id_token

ISSUER = "https://idp.example.org/realms/city"
CLIENT = "shelter"
NONCE = "n-0S6_WzA2Mj"

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key, kid: str, alg: str) -> dict:
    algorithm = jwt.algorithms.RSAAlgorithm if alg == "RS256" else jwt.algorithms.ECAlgorithm
    jwk = json.loads(algorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "alg": alg, "use": "sig"}


JWKS = {"keys": [public_jwk(RSA_KEY, "rsa-1", "RS256"), public_jwk(EC_KEY, "ec-1", "ES256")]}


def claims(**changes) -> dict:
    now = int(time.time())
    values = {"iss": ISSUER, "aud": CLIENT, "sub": "248289761001", "iat": now,
              "exp": now + 300, "nonce": NONCE, "auth_time": now}
    # A change may be a function of the current time (parameters are made at collection,
    # perhaps minutes before the test runs).
    values.update({k: v(now) if callable(v) else v for k, v in changes.items()})
    return {k: v for k, v in values.items() if v is not None}


def sign(payload: dict, key=RSA_KEY, kid: str = "rsa-1", alg: str = "RS256") -> str:
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})


def verify(token: str, jwks=None, nonce: str = NONCE) -> dict:
    return verify_id_token(token, issuer=ISSUER, client_id=CLIENT, nonce=nonce,
                           fetch_jwks=lambda: JWKS if jwks is None else jwks)


def reason_of(token: str, **kwargs) -> str:
    with pytest.raises(IdTokenInvalid) as refused:
        verify(token, **kwargs)
    return refused.value.reason


def test_a_good_rsa_token_passes():
    assert verify(sign(claims()))["sub"] == "248289761001"


def test_a_good_ec_token_passes():
    assert verify(sign(claims(), EC_KEY, "ec-1", "ES256"))["iss"] == ISSUER


def test_an_unsigned_token_is_refused():
    token = jwt.encode(claims(), None, algorithm="none", headers={"kid": "rsa-1"})
    assert reason_of(token) == "algorithm"


def test_hs256_with_the_public_key_as_secret_is_refused():
    # The classic key confusion: the provider's public key used as an HMAC secret.
    jwk = JWKS["keys"][0]
    header = {"alg": "HS256", "kid": "rsa-1", "typ": "JWT"}
    body = jwt.utils.base64url_encode(json.dumps(claims()).encode())
    head = jwt.utils.base64url_encode(json.dumps(header).encode())
    signature = hmac.new(json.dumps(jwk).encode(), head + b"." + body, hashlib.sha256).digest()
    token = b".".join([head, body, jwt.utils.base64url_encode(signature)]).decode()
    assert reason_of(token) == "algorithm"


def test_an_unknown_kid_is_refused_after_one_more_look():
    fetched = []

    def fetch():
        fetched.append(1)
        return JWKS

    with pytest.raises(IdTokenInvalid) as refused:
        verify_id_token(sign(claims(), kid="rsa-9"), issuer=ISSUER, client_id=CLIENT,
                        nonce=NONCE, fetch_jwks=fetch)
    assert refused.value.reason == "unknown_kid" and len(fetched) == 2


def test_a_key_rotated_in_between_two_fetches_is_found():
    answers = [{"keys": []}, JWKS]
    token = sign(claims())
    assert verify_id_token(token, issuer=ISSUER, client_id=CLIENT, nonce=NONCE,
                           fetch_jwks=lambda: answers.pop(0))["sub"]


def test_a_signature_by_another_key_with_the_same_kid_is_refused():
    assert reason_of(sign(claims(), OTHER_RSA_KEY)) == "signature"


def test_a_kid_of_the_wrong_key_type_is_refused():
    assert reason_of(sign(claims(), EC_KEY, "rsa-1", "ES256")) == "unknown_kid"


@pytest.mark.parametrize("changes, reason", [
    ({"iss": "https://evil.example.org"}, "issuer"),
    ({"iss": ISSUER + "/"}, "issuer"),
    ({"aud": "another-client"}, "audience"),
    ({"aud": ["another-client", CLIENT]}, "azp"),  # several audiences need azp
    ({"aud": ["another-client", CLIENT], "azp": "another-client"}, "azp"),
    ({"azp": "another-client"}, "azp"),
    ({"exp": lambda now: now - 120}, "expired"),
    ({"iat": lambda now: now + 600}, "not_yet_valid"),
    ({"sub": None}, "missing_sub"),
    ({"sub": ""}, "missing_sub"),
    ({"exp": None}, "missing_exp"),
    ({"iat": None}, "missing_iat"),
    ({"nonce": "another-nonce"}, "nonce"),
    ({"nonce": None}, "nonce"),
])
def test_each_broken_claim_is_refused(changes, reason):
    assert reason_of(sign(claims(**changes))) == reason


def test_several_audiences_with_our_azp_pass():
    token = sign(claims(aud=["another-client", CLIENT], azp=CLIENT))
    assert verify(token)["azp"] == CLIENT


def test_a_little_clock_skew_is_tolerated():
    assert verify(sign(claims(exp=int(time.time()) - 30, iat=int(time.time()) + 30)))


def test_a_session_without_a_nonce_accepts_no_token():
    assert reason_of(sign(claims()), nonce="") == "nonce"


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30."])
def test_garbage_is_refused(token):
    assert reason_of(token) in {"missing", "malformed", "algorithm", "kid"}


def test_a_broken_jwks_is_refused():
    assert reason_of(sign(claims()), jwks={"keys": "nope"}) == "unknown_kid"
    assert reason_of(sign(claims()), jwks=["not", "a", "dict"]) == "unknown_kid"
