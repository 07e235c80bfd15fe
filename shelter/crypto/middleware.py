"""Request-scoped crypto state: the data key cache and integrity-failure reports, behind a
check that the keys are this database's own."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template import loader

from shelter.crypto import keycheck
from shelter.crypto.exceptions import CryptoError, DecryptionFailed, DocumentMissing, KeyMismatch
from shelter.crypto.integrity import integrity_scope
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

    Each request is also an integrity scope (see `shelter.crypto.integrity`): a value that
    fails is reported once, and reports met inside a transaction are written when the view is
    done, whether that transaction committed or not. A document that fails its check before
    the first byte answers a calm 409 page (410 if its file is missing), never a 500.
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
        with key_cache_scope(), integrity_scope(lambda: getattr(request, "user", None)):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception
                          ) -> HttpResponse | None:
        # Rendered without the request: nothing about the document reaches the page.
        if isinstance(exception, DocumentMissing):
            return HttpResponse(loader.render_to_string("410.html"), status=410)
        if isinstance(exception, DecryptionFailed):
            return HttpResponse(loader.render_to_string("409.html"), status=409)
        return None
