"""A partner refused on a case whose share of theirs ended is told so on "Shared with me".

The guards refuse as always (a 404, recorded in the access log as a refusal). For a partner
who once held a share of that very case and holds none now, this turns the bare 404 into a
redirect to their "Shared with me" page with a notice that names no case: they already knew
the case, and they learn only that a share of theirs ended. Everyone else keeps the plain 404,
so existence stays secret to those who never had a share.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from cases.sharing import grants
from cases.sharing import policies as sharing
from shelter.audit.web import AUDITED_FLAG, record_refusal

# (URL namespace, route name or None for any, the path argument that holds the case id)
CASE_ROUTES = (("cases", None, "pk"), ("housing", "case", "case_id"),
               ("budget", None, "pk"))  # budget: a funder's pk is no case, so never told
SHARE_ENDED = "share_ended"


def case_id_of(request: HttpRequest) -> uuid.UUID | None:
    """The case a refused request was about, if its route names one."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    for namespace, name, argument in CASE_ROUTES:
        if match.namespace == namespace and name in (None, match.url_name):
            value = match.kwargs.get(argument)
            return value if isinstance(value, uuid.UUID) else None
    return None


def match_name(request: HttpRequest) -> str:
    return (request.resolver_match.url_name or "")[:64]


class ShareEndedMiddleware:
    """Last in MIDDLEWARE, so its `process_exception` sees the guards' 404 first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception
                          ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if not isinstance(exception, Http404) or not sharing.may_see_shared_with_me(user):
            return None
        case_id = case_id_of(request)
        if case_id is None:
            return None
        had, holds = grants.share_history(user, case_id)
        if not sharing.tell_share_ended(user, had_share=had, holds_share=holds):
            return None
        if not getattr(request, AUDITED_FLAG, False):  # the guards record their refusals
            record_refusal(request, "cases.case", case_id, route=match_name(request))
        messages.info(request, _("A share you had has ended, so that page is no longer open "
                                 "to you. Ask the municipality if you still need it."),
                      extra_tags=SHARE_ENDED)
        return redirect("cases:shared_with_me")
