"""Cross-cutting middleware: request context (with the one log line per request) and browser
security headers."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from shelter.context import RequestInfo, current_request
from shelter.tracecontext import new_span_id, new_trace_id, parse_traceparent

request_log = logging.getLogger("shelter.request")
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def client_ip(request: HttpRequest) -> str | None:
    """The client address; behind a trusted proxy, the first X-Forwarded-For hop."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:45]
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Give every request an id and publish it, with IP and agent, in a ContextVar; log one
    line per answered request (`shelter.request`: method, route name, status, duration)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        info = RequestInfo(
            request_id=new_trace_id(),
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            span_id=new_span_id(),
        )
        request.request_id = info.request_id
        token = current_request.set(info)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            match = getattr(request, "resolver_match", None)
            # The route's name, never the path (ids) or the query string (searches).
            request_log.info("request", extra={
                "method": request.method if request.method in KNOWN_METHODS else "OTHER",
                "route": (match.view_name if match is not None else None) or "-",
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
        finally:
            current_request.reset(token)
        # The trace id, which a trusted `traceparent` may have set (TraceContextMiddleware).
        response["X-Request-ID"] = request.request_id
        return response


class TraceContextMiddleware:
    """Honour an incoming W3C `traceparent` once the request is authenticated with both
    factors: its trace id becomes the request id (the access log's entries and the log lines
    carry it, and outgoing mail and storage calls pass it on), its parent id the parent of the
    request's span. A stranger's header is ignored: it would let anyone choose the ids the log
    files an entry under. Placed after the second-factor middleware, before the access log's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        parent = parse_traceparent(request.META.get("HTTP_TRACEPARENT"))
        info = current_request.get()
        user = getattr(request, "user", None)
        if (parent is None or info is None or user is None or not user.is_authenticated
                or not user.is_verified()):
            return self.get_response(request)
        adopted = dataclasses.replace(info, request_id=parent.trace_id,
                                      parent_span_id=parent.parent_id,
                                      trace_flags=parent.flags)
        request.request_id = adopted.request_id
        token = current_request.set(adopted)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


def content_security_policy() -> str:
    """SHELTER_CSP; with single sign-on on, the identity provider's origin may also receive a
    form: signing out posts a form that redirects to the provider's logout page, and browsers
    apply form-action to the redirect too."""
    issuer = urlsplit(getattr(settings, "SHELTER_OIDC_ISSUER", "") or "")
    if not issuer.scheme or not issuer.netloc:
        return settings.SHELTER_CSP
    return settings.SHELTER_CSP.replace(
        "form-action 'self'", f"form-action 'self' {issuer.scheme}://{issuer.netloc}", 1)


class SecurityHeadersMiddleware:
    """Strict CSP and a few headers Django does not set itself; no page may be cached."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", content_security_policy())
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if not request.path.startswith(settings.STATIC_URL):
            # Case pages must not linger in shared browser or proxy caches.
            response["Cache-Control"] = "no-store"
        return response
