"""Request-scoped cache of unwrapped data keys."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from shelter.crypto.keycache import key_cache_scope


class KeyCacheMiddleware:
    """Each request gets its own data key cache, dropped when the response is built.

    Streaming responses decrypt after this returns; they fall back to the small process cache,
    which is bounded in size and age.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with key_cache_scope():
            return self.get_response(request)
