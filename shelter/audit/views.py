"""The auditors' pages: read-only views of the access log. Every visit is itself recorded."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shelter.audit import anomalies, selectors, services
from shelter.audit.actions import Action, Outcome
from shelter.audit.export import csv_rows
from shelter.audit.forms import EventFilterForm
from shelter.audit.log import record
from shelter.audit.policies import can_read_log
from shelter.audit.web import mark_audited, record_refusal

PAGE_SIZE = 50


def _require_auditor(request: HttpRequest, page: str) -> None:
    """Auditors only; a refused visit is recorded like any other refusal."""
    if not can_read_log(request.user):
        record_refusal(request, "audit", "", action=Action.AUDIT_VIEW, page=page)
        raise PermissionDenied
    mark_audited(request)


def _event_page(request: HttpRequest, events, page_name: str, extra: dict[str, Any],
                template: str = "audit/events.html", **facts: Any) -> HttpResponse:
    """Paginate, record the visit, render with actor and organisation names."""
    # Recorded first: the visit shows in the page it opens, and nothing is read unrecorded.
    number = request.GET.get("page", "1")
    record(request.user, Action.AUDIT_VIEW, None, page=page_name,
           page_number=int(number) if number.isdigit() else 1, **facts)
    page = Paginator(events, PAGE_SIZE).get_page(number)
    names, organisations = selectors.actor_names(page), selectors.organisation_names(page)
    for event in page:
        event.actor_name = names.get(event.actor_id, "")
        event.organisation_name = organisations.get(event.organisation_id, "")
    return render(request, template, {"page": page, **extra})


@require_GET
def events(request: HttpRequest) -> HttpResponse:
    _require_auditor(request, "events")
    form = EventFilterForm(request.GET or None)
    queryset = selectors.events_visible_to(request.user)
    facts: dict[str, Any] = {}
    if form.is_valid():
        queryset, facts = selectors.filter_events(queryset, form.cleaned_data), form.facts()
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return _event_page(request, queryset, "events", {"form": form, "query": query}, **facts)


def _target_label(target_type: str) -> str:
    """The translated model name for a target type such as "cases.case", else the raw type."""
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type


@require_GET
def target_history(request: HttpRequest, target_type: str, target_id: str) -> HttpResponse:
    """Who accessed this case (or any other object)."""
    _require_auditor(request, "target")
    queryset = selectors.events_for_target(request.user, target_type, target_id)
    return _event_page(request, queryset, "target", {
        "heading": _("Who accessed %(type)s %(id)s") % {
            "type": _target_label(target_type), "id": target_id}},
        target_type=target_type[:64], target_id=target_id[:64])


@require_GET
def actor_history(request: HttpRequest, actor_id: int) -> HttpResponse:
    """What this user did."""
    _require_auditor(request, "actor")
    queryset = selectors.events_by_actor(request.user, actor_id)
    return _event_page(request, queryset, "actor", {
        "heading": _("What user #%(id)s did") % {"id": actor_id}}, user=actor_id)


@require_GET
def anomaly_signals(request: HttpRequest) -> HttpResponse:
    _require_auditor(request, "anomalies")
    signals = anomalies.all_signals()
    record(request.user, Action.AUDIT_VIEW, None, page="anomalies")
    names = selectors.actor_names_by_id(
        {s.actor_id for group in signals.values() for s in group})
    for group in signals.values():
        for signal in group:
            signal.actor_name = names.get(signal.actor_id, "")
    return render(request, "audit/anomalies.html", {"signals": signals})


@require_GET
def chain_status(request: HttpRequest) -> HttpResponse:
    _require_auditor(request, "chain")
    record(request.user, Action.AUDIT_VIEW, None, page="chain")
    return render(request, "audit/chain.html", {
        "last": selectors.last_verification(),
        "history": selectors.verifications(limit=10),
        "refusals": selectors.recent_refusals(request.user, limit=10),
    })


@require_POST
def chain_verify_now(request: HttpRequest) -> HttpResponse:
    """Run the verification now; the run is recorded in the log and in the status history."""
    _require_auditor(request, "verify")
    report = services.chain_verify(acting_user=request.user)
    if report.ok:
        messages.success(request, _("The chain is intact (%(n)s entries).") % {"n": report.entries})
    else:
        messages.error(request, _("The chain is BROKEN at entry %(seq)s.")
                       % {"seq": report.broken_seq})
    return redirect("audit:chain")


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    """The filtered log as CSV. The export is recorded (with its filters) before any row leaves."""
    _require_auditor(request, "export")
    form = EventFilterForm(request.GET or None)
    queryset = selectors.events_visible_to(request.user)
    facts: dict[str, Any] = {}
    if form.is_valid():
        queryset, facts = selectors.filter_events(queryset, form.cleaned_data), form.facts()
    record(request.user, Action.AUDIT_EXPORT, None, Outcome.ALLOWED, **facts)
    response = StreamingHttpResponse(csv_rows(queryset.iterator(chunk_size=2000)),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="access-log.csv"'
    return response
