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
from shelter.crypto.uploads import (
    EncryptedUpload,
    EncryptingUploadHandler,
    RefusingUploadHandler,
    view_accepts_uploads,
)

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


class UploadGateMiddleware:
    """Uploaded files are sealed into storage only for views marked `@accepts_uploads`, asked
    by a signed-in user who passed both factors; everywhere else they are dropped unread.

    Fail closed: from the start of the request the only handler refuses files. Just before the
    view (after authentication and the second factor are known, before the CSRF check reads
    the form), a marked view for a verified user gets the encrypting handler back. After the
    response, any upload no service committed or discarded (an invalid form, a refusal by a
    guard, an error) is discarded, so no orphaned ciphertext waits for the sweep.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.upload_handlers = [RefusingUploadHandler(request)]
        try:
            return self.get_response(request)
        finally:
            self._discard_unsettled(request)

    def process_view(self, request: HttpRequest, view_func: Callable, view_args: tuple,
                     view_kwargs: dict) -> None:
        user = getattr(request, "user", None)
        if (view_accepts_uploads(view_func) and user is not None and user.is_authenticated
                and user.is_verified() and not hasattr(request, "_files")):
            request.upload_handlers = [EncryptingUploadHandler(request)]

    @staticmethod
    def _discard_unsettled(request: HttpRequest) -> None:
        files = getattr(request, "_files", None)  # only where the body was parsed
        if not files:
            return
        for _field, uploads in files.lists():
            for upload in uploads:
                if isinstance(upload, EncryptedUpload) and not upload.settled:
                    try:
                        upload.discard()
                    except Exception:  # the sweep removes it later; the answer stands
                        logger.warning("crypto: an unsettled upload could not be discarded")
