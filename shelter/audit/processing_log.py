"""The processing log in the shape of Logius' standard Logboek Dataverwerkingen, and the
data subject's report of what happened with their data.

Each access log entry about a defender is one span: the request's trace id (or, for an entry
written outside a request, one made from its sequence number), the entry's span id and its
parent, a name (the action), its time as start and end (an entry is an instant), a status
(allowed: ok; refused or rejected: error) and the `dpl.core.*` attributes: the register entry's
versioned URI and the defender's pseudonym with its type. Staff appear as role and
organisation, never by name. `schemas/processing-log-span.schema.json` describes a line.

Entries from before format version 3 carry no activity of their own: theirs is derived from
the action as today's mapping does, with the register's first version; entries from before
format version 2 name no subject and are not in a subject's log.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from shelter.accounts.models import Organisation
from shelter.accounts.roles import Role
from shelter.audit.actions import Action, Outcome
from shelter.audit.activities import activity_for
from shelter.audit.models import AuditEvent
from shelter.crypto.keyring import audit_subject_pseudonym
from shelter.register.catalogue import activity_uri

SUBJECT_ID_TYPE = "shelter_defender_pseudonym"
STATUS = {Outcome.ALLOWED: "ok", Outcome.REFUSED: "error", Outcome.REJECTED: "error"}


def subject_entries(defender_id: Any, since: datetime.datetime | None = None,
                    until: datetime.datetime | None = None) -> QuerySet[AuditEvent]:
    """The entries about one defender (by pseudonym), oldest first, in [since, until)."""
    entries = AuditEvent.objects.filter(
        subject_id=audit_subject_pseudonym(defender_id)).order_by("seq")
    if since is not None:
        entries = entries.filter(time__gte=since)
    if until is not None:
        entries = entries.filter(time__lt=until)
    return entries


def _activity(entry: AuditEvent) -> tuple[str, int]:
    if entry.version >= 3 and entry.activity:
        return entry.activity, entry.activity_version or 1
    return activity_for(entry.action, entry.section), 1


def _millis(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1000)


def _name(entry: AuditEvent) -> str:
    action = entry.action_enum
    return action.name.lower() if action is not None else f"action_{entry.action}"


def span(entry: AuditEvent, organisations: dict[int, str]) -> dict[str, Any]:
    """One entry as a span of the standard."""
    code, version = _activity(entry)
    trace_id = entry.request_id if len(entry.request_id) == 32 else f"{entry.seq:032x}"
    attributes: dict[str, Any] = {
        "dpl.core.processing_activity_id": activity_uri(code, version),
        "dpl.core.data_subject_id": entry.subject_id,
        "dpl.core.data_subject_id_type": SUBJECT_ID_TYPE,
        "shelter.outcome": entry.outcome,
        "shelter.log_seq": entry.seq,
    }
    if entry.actor_role:
        attributes["shelter.actor.role"] = entry.actor_role
    if entry.organisation_id in organisations:
        attributes["shelter.actor.organisation"] = organisations[entry.organisation_id]
    if entry.section:
        attributes["shelter.section"] = entry.section
    line: dict[str, Any] = {
        "trace_id": trace_id, "span_id": entry.span_id or f"{entry.seq:016x}",
        "name": _name(entry), "start_time": _millis(entry.time),
        "end_time": _millis(entry.time),
        "status_code": STATUS.get(entry.outcome, "unset"), "attributes": attributes,
    }
    if entry.parent_span_id:
        line["parent_span_id"] = entry.parent_span_id
    return line


def _organisations(entries: list[AuditEvent]) -> dict[int, str]:
    ids = {e.organisation_id for e in entries if e.organisation_id is not None}
    return dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))


def export_lines(defender_id: Any, since: datetime.datetime | None = None,
                 until: datetime.datetime | None = None) -> Iterator[str]:
    """The defender's spans in [since, until) as JSON lines, 2000 entries at a time."""
    entries = subject_entries(defender_id, since, until)
    after = 0
    while True:
        chunk = list(entries.filter(seq__gt=after)[:2000])
        if not chunk:
            return
        organisations = _organisations(chunk)
        for entry in chunk:
            yield json.dumps(span(entry, organisations), ensure_ascii=False,
                             separators=(",", ":")) + "\n"
        after = chunk[-1].seq


def processing_report(defender_id: Any) -> list[dict[str, Any]]:
    """What happened with the defender's data, per processing activity and register version:
    when first and last, how often, by which roles and organisations. No staff names, and
    only this defender's entries."""
    from django.apps import apps

    ActivityVersion = apps.get_model("register", "ActivityVersion")  # noqa: N806
    names = {(v.code, v.version): v.name for v in ActivityVersion.objects.all()}
    groups: dict[tuple[str, int], dict[str, Any]] = {}
    entries = list(subject_entries(defender_id).only(
        "seq", "time", "action", "section", "version", "activity", "activity_version",
        "actor_role", "organisation_id", "outcome"))
    organisations = _organisations(entries)
    roles = dict(Role.choices)
    for entry in entries:
        code, version = _activity(entry)
        group = groups.setdefault((code, version), {
            "activity": code, "register_version": version,
            "name": names.get((code, version), code), "uri": activity_uri(code, version),
            "first": entry.time, "last": entry.time, "times": 0, "refused": 0,
            "roles": set(), "organisations": set(), "actions": set()})
        group["last"] = entry.time
        group["times"] += 1
        group["refused"] += entry.outcome != Outcome.ALLOWED
        if entry.actor_role:
            group["roles"].add(str(roles.get(entry.actor_role, entry.actor_role)))
        if entry.organisation_id in organisations:
            group["organisations"].add(organisations[entry.organisation_id])
        if entry.action_enum is not None:
            group["actions"].add(str(Action(entry.action).label))
    return [{**g, "first": g["first"].date().isoformat(), "last": g["last"].date().isoformat(),
             "roles": sorted(g["roles"]), "organisations": sorted(g["organisations"]),
             "actions": sorted(g["actions"])}
            for g in sorted(groups.values(), key=lambda g: g["first"])]
