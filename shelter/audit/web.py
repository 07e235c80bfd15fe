"""The access log in the web layer: `record_refusal` and `record_rejection` for guards and
views, `mark_audited`, and `AuditMiddleware` (fails closed, records refusals nothing else did).

Usage is documented in the package docstring (`shelter.audit`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader

from shelter.audit.actions import Action, Outcome
from shelter.audit.exceptions import AuditWriteFailed
from shelter.audit.log import record

logger = logging.getLogger("shelter.audit")

AUDITED_FLAG = "_shelter_audited"
TARGET_KWARGS = ("case_id", "pk", "id", "uuid")
DEFAULT_REFUSAL_NAMESPACES = {"cases": "cases.case", "housing": "housing"}


def mark_audited(request: HttpRequest) -> None:
    """Tell AuditMiddleware this request already has its entry."""
    setattr(request, AUDITED_FLAG, True)


def record_refusal(request: HttpRequest, target_type: str, target_id: Any, *,
                   action: Action = Action.REFUSED, section: str = "", **facts: Any):
    """Record that `request.user` was refused `target` (call before answering 403/404)."""
    mark_audited(request)
    return record(request.user, action, (target_type, target_id), Outcome.REFUSED,
                  section=section, **facts)


def record_rejection(request: HttpRequest, action: Action, target: Any, *, reason: str,
                     section: str = "", **facts: Any):
    """Record that a business rule said no to `request.user`'s write (a booking clash, a failed
    validation). Not an authorization refusal: it does not count towards the refusal signal."""
    mark_audited(request)
    return record(request.user, action, target, Outcome.REJECTED, section=section,
                  reason=reason, **facts)


def unavailable_response() -> HttpResponse:
    # Rendered without the request: nothing about the failure or the page reaches the browser.
    response = HttpResponse(loader.render_to_string("audit/unavailable.html"), status=503)
    response["Retry-After"] = "60"
    return response


class AuditMiddleware:
    """Fail closed on AuditWriteFailed (503) and record unrecorded refusals on guarded routes.

    Place it after the authentication and two-factor middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.namespaces = getattr(settings, "SHELTER_AUDIT_REFUSAL_NAMESPACES",
                                  DEFAULT_REFUSAL_NAMESPACES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
            if response.status_code in (403, 404) and not getattr(request, AUDITED_FLAG, False):
                self._record_route_refusal(request, response.status_code)
        except AuditWriteFailed:
            logger.error("audit: an entry could not be written; the request was refused")
            return unavailable_response()
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, AuditWriteFailed):
            logger.error("audit: an entry could not be written; the request was refused")
            return unavailable_response()
        return None

    def _record_route_refusal(self, request: HttpRequest, status: int) -> None:
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if match is None or not (user and user.is_authenticated):
            return
        namespace = match.namespaces[0] if match.namespaces else ""
        if namespace not in self.namespaces:
            return
        target_id = next((match.kwargs[k] for k in TARGET_KWARGS if k in match.kwargs), "")
        record_refusal(request, self.namespaces[namespace], target_id,
                       route=(match.url_name or "")[:64], status=status)
