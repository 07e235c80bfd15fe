"""The auditors' pages: read-only views of the access log. Every visit is itself recorded.

Each view calls the guard `shelter.audit.access.access_log` first."""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shelter.access import guarded_by
from shelter.audit import anomalies, labels, selectors, services
from shelter.audit.access import access_log
from shelter.audit.actions import Action, Outcome
from shelter.audit.export import csv_rows
from shelter.audit.forms import EventFilterForm, ProcessingLogForm
from shelter.audit.log import record
from shelter.audit.processing_log import export_lines as processing_log_lines

PAGE_SIZE = 50


def _name_events(events, form: EventFilterForm | None = None) -> None:
    """Attach actor, organisation and code names to a page of events (a constant number of
    queries; none for the names the filter form already read)."""
    events = list(events)
    names = selectors.actor_names(events, getattr(form, "user_names", None))
    organisations = selectors.organisation_names(events,
                                                 getattr(form, "organisation_names", None))
    for event in events:
        event.actor_name = names.get(event.actor_id, "")
        event.organisation_name = organisations.get(event.organisation_id, "")
    labels.name_objects(events)


def _render_page(request: HttpRequest, events, extra: dict[str, Any],
                 template: str = "audit/events.html", status: int = 200) -> HttpResponse:
    """Paginate and render with actor and organisation names."""
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page", "1"))
    _name_events(page, extra.get("form"))
    return render(request, template, {"page": page, **extra}, status=status)


def _event_page(request: HttpRequest, events, page_name: str, extra: dict[str, Any],
                template: str = "audit/events.html", status: int = 200,
                **facts: Any) -> HttpResponse:
    """Record the visit, then paginate and render."""
    # Recorded first: the visit shows in the page it opens, and nothing is read unrecorded.
    number = request.GET.get("page", "1")
    record(request.user, Action.AUDIT_VIEW, None, page=page_name,
           page_number=int(number) if number.isdigit() else 1, **facts)
    return _render_page(request, events, extra, template, status)


def _filtered(request: HttpRequest) -> tuple[EventFilterForm, Any, dict[str, Any]]:
    """The filter form, the events it selects and its audit facts.

    A filter that does not validate selects nothing: its error is shown over an empty table,
    never over the unfiltered log.
    """
    form = EventFilterForm(request.GET or None)
    queryset = selectors.events_visible_to(request.user)
    if not form.is_bound:
        return form, queryset, {}
    if not form.is_valid():
        return form, queryset.none(), {"filter_invalid": form.error_fields()}
    return form, selectors.filter_events(queryset, form.cleaned_data), form.facts()


def _query(request: HttpRequest) -> str:
    return urlencode({k: v for k, v in request.GET.items() if k != "page" and v})


@require_GET
@guarded_by(access_log)
def events(request: HttpRequest) -> HttpResponse:
    access_log(request, "events")
    form, queryset, facts = _filtered(request)
    status = 400 if form.errors else 200
    return _event_page(request, queryset, "events", {"form": form, "query": _query(request)},
                       status=status, **facts)


@require_GET
@guarded_by(access_log)
def target_history(request: HttpRequest, target_type: str, target_id: str) -> HttpResponse:
    """Who accessed this case (or any other object)."""
    access_log(request, "target")
    queryset = selectors.events_for_target(request.user, target_type, target_id)
    code_name = labels.code_names(target_type, [target_id]).get(target_id, "")
    return _event_page(request, queryset, "target", {
        "heading": _("Who accessed %(type)s %(id)s") % {
            "type": labels.target_noun(target_type), "id": target_id},
        "code_name": code_name},
        target_type=target_type[:64], target_id=target_id[:64])


@require_GET
@guarded_by(access_log)
def actor_history(request: HttpRequest, actor_id: int) -> HttpResponse:
    """What this user did."""
    access_log(request, "actor")
    queryset = selectors.events_by_actor(request.user, actor_id)
    name = selectors.actor_names_by_id([actor_id]).get(actor_id)
    heading = (_("What %(name)s (user #%(id)s) did") % {"name": name, "id": actor_id} if name
               else _("What user #%(id)s did") % {"id": actor_id})
    return _event_page(request, queryset, "actor", {"heading": heading}, user=actor_id)


@require_GET
@guarded_by(access_log)
def anomaly_signals(request: HttpRequest) -> HttpResponse:
    access_log(request, "anomalies")
    signals = anomalies.all_signals()
    record(request.user, Action.AUDIT_VIEW, None, page="anomalies")
    names = selectors.actor_names_by_id(
        {s.actor_id for group in signals.values() for s in group})
    cases = labels.code_names(labels.CASE, {t for group in signals.values() for s in group
                                            for t in s.targets})
    for group in signals.values():
        for signal in group:
            signal.actor_name = names.get(signal.actor_id, "")
            signal.named_targets = [(t, cases.get(t, "")) for t in signal.targets]
    failures = anomalies.recent_integrity_failures()
    _name_events(failures)
    return render(request, "audit/anomalies.html", {"signals": signals,
                                                    "integrity_failures": failures})


@require_GET
@guarded_by(access_log)
def chain_status(request: HttpRequest) -> HttpResponse:
    access_log(request, "chain")
    record(request.user, Action.AUDIT_VIEW, None, page="chain")
    refusals = selectors.recent_refusals(request.user, limit=10)
    _name_events(refusals)
    return render(request, "audit/chain.html", {
        "last": selectors.last_verification(),
        "history": selectors.verifications(limit=10),
        "refusals": refusals,
    })


@require_POST
@guarded_by(access_log)
def chain_verify_now(request: HttpRequest) -> HttpResponse:
    """Run the verification now; the run is recorded in the log and in the status history."""
    access_log(request, "verify")
    report = services.chain_verify(acting_user=request.user)
    if report.ok:
        messages.success(request, _("The chain is intact (%(n)s entries).") % {"n": report.entries})
    else:
        messages.error(request, _("The chain is BROKEN at entry %(seq)s.")
                       % {"seq": report.broken_seq})
    return redirect("audit:chain")


@require_GET
@guarded_by(access_log)
def export_csv(request: HttpRequest) -> HttpResponse:
    """The filtered log as CSV. The export is recorded (with its filters) before any row leaves.

    A filter that does not validate gives no file: the filter page answers with its error.
    """
    access_log(request, "export")
    form, queryset, facts = _filtered(request)
    if form.errors:
        record(request.user, Action.AUDIT_EXPORT, None, Outcome.REJECTED,
               reason="invalid_filter", **facts)
        return _render_page(request, queryset, {"form": form, "query": _query(request)},
                            status=400)
    record(request.user, Action.AUDIT_EXPORT, None, Outcome.ALLOWED, **facts)
    response = StreamingHttpResponse(csv_rows(queryset.iterator(chunk_size=2000), get_language()),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="access-log.csv"'
    return response


@require_GET
@guarded_by(access_log)
def processing_log(request: HttpRequest) -> HttpResponse:
    """A defender's processing log (Logboek Dataverwerkingen spans) for a period, as JSON
    lines. Recorded, as about that defender, once the file is built."""
    access_log(request, "processing_log")
    form = ProcessingLogForm(request.GET or None)
    defender_id = None
    if form.is_valid():
        # By app label: the cases app sits above the log.
        defender_id = (apps.get_model("cases", "Case").objects
                       .filter(pk=form.cleaned_data["case"])
                       .values_list("defender_id", flat=True).first())
        if defender_id is None:
            form.add_error("case", _("There is no case with this id."))
    if defender_id is None:
        return render(request, "audit/processing_log.html", {"form": form},
                      status=400 if form.is_bound else 200)
    since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    start = _day_start(since) if since else None
    end = _day_start(until + datetime.timedelta(days=1)) if until else None
    body = "".join(processing_log_lines(defender_id, start, end))
    record(request.user, Action.PROCESSING_LOG_EXPORT, ("cases.case", form.cleaned_data["case"]),
           Outcome.ALLOWED, lines=body.count("\n"),
           since=since.isoformat() if since else None, until=until.isoformat() if until else None)
    response = HttpResponse(body, content_type="application/jsonl; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="processing-log-{form.cleaned_data["case"]}.jsonl"')
    return response


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
