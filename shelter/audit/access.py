"""The guard of the auditors' pages (the log, its exports, per-object and per-user histories,
the anomaly signals, the chain's status and its verification).

The access log is one object: auditors read all of it and change nothing. Anyone else is
refused with 403 (the pages are no secret), and the refusal is itself recorded. Each page
records its visit with the facts only it knows (its filters, its page number).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from shelter.access import guard
from shelter.audit.actions import Action
from shelter.audit.policies import can_read_log
from shelter.audit.web import mark_audited, record_refusal


@guard
def access_log(request: HttpRequest, page: str) -> None:
    """Auditors only; `page` ("events", "export", "target", "actor",
    "anomalies", "chain", "verify") names the page in the refusal's facts."""
    if not can_read_log(request.user):
        record_refusal(request, "audit", "", action=Action.AUDIT_VIEW, page=page)
        raise PermissionDenied
    mark_audited(request)
