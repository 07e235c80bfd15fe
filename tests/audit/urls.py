"""The project's routes plus stand-in case views, to test read auditing before cases exist."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import include, path
from django.views import View

from shelter.audit import Action
from shelter.audit.web import AuditedMixin, audited, record_refusal
from shelter.urls import urlpatterns as project_patterns

SECRET = "identity-of-the-defender"


def _section(request: HttpRequest, pk: str) -> HttpResponse:
    if pk == "hidden":
        raise Http404
    if pk == "forbidden":
        raise PermissionDenied
    return HttpResponse(SECRET)


case_identity = audited(Action.CASE_VIEW_SECTION, "cases.case", section="identity")(_section)


def case_unaudited(request: HttpRequest, pk: str) -> HttpResponse:
    """Forgot its decorator: the middleware still records its 404s."""
    raise Http404


def case_medical(request: HttpRequest, pk: str) -> HttpResponse:
    record_refusal(request, "cases.case", pk, section="medical", reason="not_assigned")
    return HttpResponse(status=404)


class CaseDocuments(AuditedMixin, View):
    audit_action = Action.CASE_VIEW_SECTION
    audit_target_type = "cases.case"
    audit_section = "documents"

    def get(self, request: HttpRequest, pk: str) -> HttpResponse:
        return _section(request, pk)


case_patterns = ([
    path("<str:pk>/identity/", case_identity, name="identity"),
    path("<str:pk>/raw/", case_unaudited, name="raw"),
    path("<str:pk>/medical/", case_medical, name="medical"),
    path("<str:pk>/documents/", CaseDocuments.as_view(), name="documents"),
], "cases")

urlpatterns = [
    *project_patterns,
    path("test-cases/", include(case_patterns)),
    path("elsewhere/<str:pk>/", case_unaudited, name="elsewhere"),
]
