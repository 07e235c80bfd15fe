"""Project-level pages: the dashboard shell per role, the language switch, and error pages that
reveal nothing."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.i18n import set_language as django_set_language

from shelter.access import guarded_by, public, signed_in
from shelter.accounts.roles import Role
from shelter.dashboard import panels_for

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


def _error(template: str, status: int):
    def view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
        # Render without the request's context: nothing about the failure reaches the page.
        return HttpResponse(loader.render_to_string(template), status=status)

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
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its `except` block: the failure is still in sys.exc_info().
    if _is_database_outage(sys.exc_info()[1]):
        return database_unavailable()
    return HttpResponse(loader.render_to_string("500.html"), status=500)
