"""The guards of the register's pages. Partners are refused with 403 (the register is no
secret, so its existence need not be hidden) and the refusal is recorded; reading records
nothing else (no personal data is shown), changing and exporting are recorded by the service
and the export view."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from shelter.access import guard
from shelter.audit.activities import CODES
from shelter.audit.web import mark_audited, record_refusal
from shelter.register import policies

TARGET = "register.activityversion"


def _known(code: str) -> None:
    if code not in CODES:
        raise Http404


@guard
def access_register(request: HttpRequest, code: str | None = None) -> None:
    """Reading the register (every member of staff)."""
    if not policies.can_view_register(request.user):
        record_refusal(request, TARGET, None, section="register")
        raise PermissionDenied
    if code is not None:
        _known(code)
    mark_audited(request)


@guard
def access_register_change(request: HttpRequest, code: str) -> None:
    """Writing a new version (coordinators and auditors)."""
    if not policies.can_change_register(request.user):
        record_refusal(request, TARGET, None, section="register", reason="change")
        raise PermissionDenied
    _known(code)
    mark_audited(request)


@guard
def access_register_export(request: HttpRequest) -> None:
    """The JSON, CSV and printable exports (coordinators and auditors)."""
    if not policies.can_export_register(request.user):
        record_refusal(request, TARGET, None, section="register", reason="export")
        raise PermissionDenied
    mark_audited(request)
