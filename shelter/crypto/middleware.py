"""Request-scoped cache of unwrapped data keys, behind a check that the keys are this
database's own."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template import loader

from shelter.crypto import keycheck
from shelter.crypto.exceptions import CryptoError, KeyMismatch
from shelter.crypto.keycache import key_cache_scope

logger = logging.getLogger("shelter.crypto")


def keys_unusable_response(exc: CryptoError) -> HttpResponse:
    """503, rendered without the request: the key id and what the operator must do, no trace."""
    key_id = exc.key_id if isinstance(exc, KeyMismatch) else ""
    response = HttpResponse(
        loader.render_to_string("crypto/keys_unusable.html", {"key_id": key_id}), status=503)
    response["Retry-After"] = "300"
    return response


class KeyCacheMiddleware:
    """Each request gets its own data key cache, dropped when the response is built.

    Before the first request is served (and after each key file reload) the keys are checked
    against the database (`keycheck`); if they do not belong to it, every request answers 503
    and nothing is written — no session, no audit entry, no data key.

    Streaming responses decrypt after this returns; they fall back to the small process cache,
    which is bounded in size and age.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            keycheck.ensure_verified()
        except CryptoError as exc:  # a wrong, missing or unreadable key file
            logger.error("crypto: keys unusable, request refused (%s)", type(exc).__name__)
            return keys_unusable_response(exc)
        except DatabaseError:
            pass  # the database's own outage handling answers; writes re-check the keys first
        with key_cache_scope():
            return self.get_response(request)
