"""The project's routes plus stand-in case views built on a guard, to test read auditing and
the middleware with views that need no case in the database."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import include, path

from shelter import audit
from shelter.access import guard, guarded_by
from shelter.audit import Action
from shelter.audit.web import mark_audited, record_refusal
from shelter.urls import urlpatterns as project_patterns

SECRET = "identity-of-the-defender"


@guard
def access_stand_in(request: HttpRequest, pk: str, section: str, *, write: bool = False) -> str:
    """A guard of the usual shape: "hidden" does not exist for the user (404), "forbidden" is
    visible but not theirs to see (403); each refusal and each read is recorded once."""
    if pk == "hidden":
        record_refusal(request, "cases.case", pk, section=section)
        raise Http404
    if pk == "forbidden":
        record_refusal(request, "cases.case", pk, section=section, reason="read_only")
        raise PermissionDenied
    if not write:
        audit.record(request.user, Action.CASE_VIEW_SECTION, ("cases.case", pk), section=section)
    mark_audited(request)
    return pk


@guarded_by(access_stand_in)
def case_identity(request: HttpRequest, pk: str) -> HttpResponse:
    access_stand_in(request, pk, "identity", write=request.method == "POST")
    return HttpResponse(SECRET)


@guarded_by(access_stand_in)
def case_documents(request: HttpRequest, pk: str) -> HttpResponse:
    access_stand_in(request, pk, "documents")
    return HttpResponse(SECRET)


def case_unaudited(request: HttpRequest, pk: str) -> HttpResponse:
    """Records nothing itself: the middleware still records its 404s."""
    raise Http404


def case_medical(request: HttpRequest, pk: str) -> HttpResponse:
    record_refusal(request, "cases.case", pk, section="medical", reason="not_assigned")
    return HttpResponse(status=404)


case_patterns = ([
    path("<str:pk>/identity/", case_identity, name="identity"),
    path("<str:pk>/raw/", case_unaudited, name="raw"),
    path("<str:pk>/medical/", case_medical, name="medical"),
    path("<str:pk>/documents/", case_documents, name="documents"),
], "cases")

urlpatterns = [
    *project_patterns,
    path("test-cases/", include(case_patterns)),
    path("elsewhere/<str:pk>/", case_unaudited, name="elsewhere"),
]
