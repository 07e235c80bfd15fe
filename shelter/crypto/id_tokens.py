"""OpenID Connect ID tokens: the one place a token from the identity provider is believed.

`verify_id_token` checks, in this order, and refuses with `IdTokenInvalid(reason)` at the first
failure: the header names RS256 or ES256 (never "none", never an HMAC algorithm: a provider's
public key must not double as a shared secret) and a `kid`; that key is in the provider's JWKS
(fetched by the caller for every verification, and once more when the kid is unknown, so a key
the provider rotated in is found and one it rotated out is not trusted); the signature; `iss`
is the configured issuer exactly; `aud` contains our client id, and `azp` is our client id when
present or when `aud` names several clients; `exp` and `iat` (60 seconds of leeway, `iat` not in
the future); `sub` is present; `nonce` is the one this session sent.

The reason codes are short and safe to log; no token or claim is ever put in a message.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from typing import Any

import jwt

ALGORITHMS = ("RS256", "ES256")
KEY_TYPES = {"RS256": "RSA", "ES256": "EC"}
LEEWAY_SECONDS = 60


class IdTokenInvalid(Exception):
    """The ID token cannot be trusted. `reason` is a short code ("signature", "audience", …)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _header(token: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise IdTokenInvalid("malformed") from error
    if header.get("alg") not in ALGORITHMS:
        raise IdTokenInvalid("algorithm")
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise IdTokenInvalid("kid")
    return header


def _find_key(jwks: dict[str, Any], kid: str, alg: str) -> jwt.PyJWK | None:
    for jwk in (jwks or {}).get("keys", []) if isinstance(jwks, dict) else []:
        if not isinstance(jwk, dict) or jwk.get("kid") != kid:
            continue
        if jwk.get("kty") != KEY_TYPES[alg] or jwk.get("alg", alg) != alg:
            continue
        if jwk.get("use", "sig") != "sig":
            continue
        try:
            return jwt.PyJWK(jwk, algorithm=alg)
        except jwt.PyJWTError as error:
            raise IdTokenInvalid("jwks") from error
    return None


def _signing_key(fetch_jwks: Callable[[], dict[str, Any]], kid: str, alg: str) -> jwt.PyJWK:
    for _attempt in range(2):  # an unknown kid: the provider may have just rotated, look again
        key = _find_key(fetch_jwks(), kid, alg)
        if key is not None:
            return key
    raise IdTokenInvalid("unknown_kid")


def _decode(token: str, key: jwt.PyJWK, alg: str, issuer: str, client_id: str) -> dict:
    try:
        return jwt.decode(
            token, key, algorithms=[alg], audience=client_id, issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "sub"], "strict_aud": False},
        )
    except jwt.InvalidSignatureError as error:
        raise IdTokenInvalid("signature") from error
    except jwt.ExpiredSignatureError as error:
        raise IdTokenInvalid("expired") from error
    except jwt.InvalidAudienceError as error:
        raise IdTokenInvalid("audience") from error
    except jwt.InvalidIssuerError as error:
        raise IdTokenInvalid("issuer") from error
    except jwt.ImmatureSignatureError as error:
        raise IdTokenInvalid("not_yet_valid") from error
    except jwt.MissingRequiredClaimError as error:
        raise IdTokenInvalid(f"missing_{error.claim}") from error
    except jwt.PyJWTError as error:
        raise IdTokenInvalid("malformed") from error


def _check_claims(claims: dict[str, Any], *, issuer: str, client_id: str, nonce: str) -> None:
    # PyJWT checks these too; checked here again so that no option of a later PyJWT can loosen
    # what Shelter relies on.
    if claims.get("iss") != issuer:
        raise IdTokenInvalid("issuer")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or client_id not in audiences:
        raise IdTokenInvalid("audience")
    if ("azp" in claims or len(audiences) > 1) and claims.get("azp") != client_id:
        raise IdTokenInvalid("azp")
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or iat > time.time() + LEEWAY_SECONDS:
        raise IdTokenInvalid("not_yet_valid")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise IdTokenInvalid("missing_sub")
    token_nonce = claims.get("nonce")
    if not nonce or not isinstance(token_nonce, str) or not hmac.compare_digest(
            token_nonce.encode(), nonce.encode()):
        raise IdTokenInvalid("nonce")


def verify_id_token(token: str, *, issuer: str, client_id: str, nonce: str,
                    fetch_jwks: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The claims of `token` if every check above passes; else raises `IdTokenInvalid`.

    `fetch_jwks` returns the provider's current JWKS document (the caller fetches it, with a
    timeout, from the discovery document's `jwks_uri`); it may raise `IdTokenInvalid("jwks")`.
    """
    if not isinstance(token, str) or not token:
        raise IdTokenInvalid("missing")
    header = _header(token)
    key = _signing_key(fetch_jwks, header["kid"], header["alg"])
    claims = _decode(token, key, header["alg"], issuer, client_id)
    _check_claims(claims, issuer=issuer, client_id=client_id, nonce=nonce)
    return claims
