"""Project-level pages: the dashboard shell per role, and error pages that reveal nothing."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

from shelter.accounts.roles import Role
from shelter.dashboard import panels_for

DASHBOARD_TEMPLATES = {
    Role.COORDINATOR: "dashboard/coordinator.html",
    Role.CASE_OFFICER: "dashboard/case_officer.html",
    Role.PARTNER: "dashboard/partner.html",
    Role.AUDITOR: "dashboard/auditor.html",
}


def dashboard(request: HttpRequest) -> HttpResponse:
    template = DASHBOARD_TEMPLATES.get(request.user.role, "dashboard/no_role.html")
    return render(request, template, {"panels": panels_for(request)})


def _error(template: str, status: int):
    def view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
        # Render without the request's context: nothing about the failure reaches the page.
        return HttpResponse(loader.render_to_string(template), status=status)

    return view


bad_request = _error("400.html", 400)
permission_denied = _error("403.html", 403)
page_not_found = _error("404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponse(loader.render_to_string("500.html"), status=500)
