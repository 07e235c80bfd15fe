"""Project-level pages: the dashboard shell per role, the language switch, and error pages that
reveal nothing."""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.i18n import set_language as django_set_language

from shelter.access import guarded_by, public, signed_in
from shelter.accounts.roles import Role
from shelter.dashboard import panels_for

logger = logging.getLogger(__name__)

DASHBOARD_TEMPLATES = {
    Role.COORDINATOR: "dashboard/coordinator.html",
    Role.CASE_OFFICER: "dashboard/case_officer.html",
    Role.PARTNER: "dashboard/partner.html",
    Role.AUDITOR: "dashboard/auditor.html",
}


@guarded_by(signed_in)
def dashboard(request: HttpRequest) -> HttpResponse:
    signed_in(request)
    template = DASHBOARD_TEMPLATES.get(request.user.role, "dashboard/no_role.html")
    return render(request, template, {"panels": panels_for(request)})


@guarded_by(public)
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, open to everyone (also before signing in)."""
    public(request)
    return django_set_language(request)


# The minimal page, written out: the last resort when even the template engine fails.
FALLBACK_PAGE = (
    '<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>{title} · Shelter</title></head><body><main><h1>{title}</h1>"
    '<p><a href="/">{home}</a></p></main></body></html>'
)


def _minimal(template: str) -> str:
    """The error page without the request: no header, no user, nothing about the failure."""
    try:
        return loader.render_to_string(template)
    except Exception:  # noqa: BLE001 - an error page must never fail itself
        logger.exception("error page %s could not be rendered", template)
        return FALLBACK_PAGE.format(lang=escape(get_language() or "nl"),
                                    title=escape(_("Something went wrong")),
                                    home=escape(_("Go to the start page")))


def render_error(request: HttpRequest | None, template: str, status: int) -> HttpResponse:
    """An error page inside the normal layout (header, language switch, the signed-in user's
    name and sign-out, the main nav) when the request can give it; the minimal page when it
    cannot (no request, a context processor or the database failing). The page says only
    what kind of error it is: nothing about the failure reaches it."""
    if request is not None:
        try:
            return HttpResponse(
                loader.render_to_string(template, {"error_layout": "base.html"}, request=request),
                status=status)
        except Exception:  # noqa: BLE001 - fall back to the minimal page below
            logger.exception("error page %s fell back to the minimal layout", template)
    return HttpResponse(_minimal(template), status=status)


def _error(template: str, status: int):
    def view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
        # The exception is never handed to the template: nothing about the failure is shown.
        return render_error(request, template, status)

    return view


bad_request = _error("400.html", 400)
permission_denied = _error("403.html", 403)
page_not_found = _error("404.html", 404)


# A database that cannot be reached (down, restarting, connection refused or dropped, a file
# that cannot be opened, a lock not granted in time) is an outage, not a bug: ask to come back.
DATABASE_OUTAGE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 60


def _is_database_outage(exception: BaseException | None) -> bool:
    seen = 0
    while exception is not None and seen < 5:  # also when wrapped by another error
        if isinstance(exception, DATABASE_OUTAGE):
            return True
        exception, seen = exception.__cause__ or exception.__context__, seen + 1
    return False


def database_unavailable() -> HttpResponse:
    """503 with Retry-After; rendered without the request, so no data reaches the page."""
    response = HttpResponse(_minimal("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its `except` block: the failure is still in sys.exc_info().
    if _is_database_outage(sys.exc_info()[1]):
        return database_unavailable()
    return render_error(request, "500.html", 500)
