"""Request-scoped crypto state: the data key cache and integrity-failure reports."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template import loader

from shelter.crypto.exceptions import DecryptionFailed, DocumentMissing
from shelter.crypto.integrity import integrity_scope
from shelter.crypto.keycache import key_cache_scope


class KeyCacheMiddleware:
    """Each request gets its own data key cache, dropped when the response is built.

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
