"""The case's history in words: what happened to a case and its parts, read from the access log.

Each entry says when, who (a staff member's name, or a role), what (translated) and in which
section (translated: "documents (medical)", "housing"). The log holds ids and categories only,
so nothing here can show a note's text or a document's name; categories of documents and the
sections of shares come from the log's facts or, for entries that lack them, from the rows the
log names (their category, never their content). Reads only; the view's guard records the read.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cases.choices import Stage
from cases.models import Case, Document
from cases.sharing.models import CaseShare
from shelter.audit import Action
from shelter.audit.actions import Outcome
from shelter.audit.labels import role_label, section_label
from shelter.audit.models import AuditEvent
from shelter.audit.selectors import actor_names_by_id, events_for_target

# The business events of a case: its changes and its documents' downloads, not page views.
HISTORY_ACTIONS = (
    Action.CASE_CREATE, Action.CASE_UPDATE, Action.CASE_TRANSITION, Action.CASE_EXPORT,
    Action.NOTE_CREATE, Action.NOTE_UPDATE, Action.DOCUMENT_UPLOAD, Action.DOCUMENT_DOWNLOAD,
    Action.DOCUMENT_REPLACE, Action.DOCUMENT_DELETE, Action.SHARE_GRANT, Action.SHARE_REVOKE,
    Action.SHARE_EXPIRE, Action.BREAK_GLASS, Action.BOOKING_CREATE, Action.BOOKING_CHANGE,
    Action.BOOKING_CANCEL, Action.CASE_SHRED, Action.LEGAL_HOLD_PLACE, Action.LEGAL_HOLD_LIFT,
    Action.TRAVEL_DOCUMENTS_CHANGE, Action.TRAVEL_LEG_CREATE, Action.TRAVEL_LEG_CHANGE,
    Action.TRAVEL_LEG_DELETE, Action.INSURANCE_CHANGE, Action.COMPANION_ADD,
    Action.COMPANION_CHANGE, Action.COMPANION_REMOVE, Action.GUARD_OVERRIDE,
)

# Changes recorded as CASE_UPDATE of a part of the case ("change" in the facts).
CHANGE_LABELS = {
    "task_create": _("Task added"),
    "task_reschedule": _("Task rescheduled"),
    "activity_create": _("Activity added to the programme"),
    "activity_update": _("Activity changed"),
    "activity_cancel": _("Activity cancelled"),
}
BOOKING_CHANGES = {
    "move": _("Booking moved"),
    "extend": _("Booking extended or shortened"),
    "confirm": _("Booking confirmed"),
}
SECTION_OF = {
    Action.BOOKING_CREATE: "housing", Action.BOOKING_CHANGE: "housing",
    Action.BOOKING_CANCEL: "housing", Action.BREAK_GLASS: "notes",
    Action.CASE_TRANSITION: "basic", Action.CASE_CREATE: "basic", Action.GUARD_OVERRIDE: "basic",
}


@dataclass(frozen=True)
class HistoryEntry:
    time: datetime.datetime
    who: str
    what: str
    section: str
    detail: str = ""


# How many of the newest entries the page's access history shows.
ACCESS_ROWS = 100
_HISTORY_CODES = frozenset(int(a) for a in HISTORY_ACTIONS)
_SHARE_ACTIONS = (Action.SHARE_GRANT, Action.SHARE_REVOKE, Action.SHARE_EXPIRE)


def case_history(user: Any, case: Case, limit: int = 200, *,
                 about: QuerySet[AuditEvent] | None = None) -> list[HistoryEntry]:
    """The newest `limit` business events of `case` (PermissionDenied if `user` may not read
    the case's access history; the view asks the policy first). `about` is the case's entries
    as `events_for_target(user, case)` gives them, when the caller has them already."""
    if about is None:
        about = events_for_target(user, case)
    events = _business_events(about, limit)
    return _entries(case, events, _names(events))


def history_page(user: Any, case: Case, limit: int = 200, access_rows: int = ACCESS_ROWS
                 ) -> tuple[list[HistoryEntry], list[AuditEvent]]:
    """Both tables of the history page: the newest `limit` business events in words, and the
    newest `access_rows` entries of any kind (the access history), each with `actor_name`.

    PermissionDenied as `case_history`. The case's entries are found once (its parts' ids in
    one query). When the case has fewer than `access_rows` entries, those are all of them and
    its business events are picked from them, with no second read; otherwise they are one more
    query. The actors of both tables and the grantees of shares are named in one query."""
    about = events_for_target(user, case)
    events = list(about[:access_rows])
    if len(events) < access_rows:
        business = [e for e in events if _is_business(e)][:limit]
    else:
        business = _business_events(about, limit)
    names = _names([*events, *business])
    for event in events:
        event.actor_name = names.get(event.actor_id, "")
    return _entries(case, business, names), events


def _is_business(event: AuditEvent) -> bool:
    """The filter of `_business_events`, for entries already read."""
    return event.action in _HISTORY_CODES and event.outcome == Outcome.ALLOWED


def _business_events(about: QuerySet[AuditEvent], limit: int) -> list[AuditEvent]:
    return list(about.filter(action__in=[int(a) for a in HISTORY_ACTIONS],
                             outcome=Outcome.ALLOWED)[:limit])


def _names(events: list[AuditEvent]) -> dict[int, str]:
    """The names of the entries' actors and of the people their shares were granted to."""
    return actor_names_by_id({e.actor_id for e in events}
                             | {_fact(e, "grantee_user_id") for e in events} - {None})


def _entries(case: Case, events: list[AuditEvent], names: dict[int, str]
             ) -> list[HistoryEntry]:
    """The entries in words. A document's category and a share's sections and organisation
    come from the rows the log names only for entries whose facts lack them (downloads, older
    entries, revocations): a page whose entries all carry them reads neither table."""
    categories: dict[str, str] = {}
    if any(e.target_type == "cases.document" and not _fact(e, "category") for e in events):
        categories = {str(pk): category for pk, category
                      in Document.objects.filter(case=case).values_list("pk", "category")}
    shares: dict[str, tuple[list[str], str]] = {}
    if any(e.action in _SHARE_ACTIONS and (
            not _fact(e, "sections")
            or (e.action == Action.SHARE_GRANT and not names.get(_fact(e, "grantee_user_id"))))
           for e in events):
        shares = {str(pk): (sections, org) for pk, sections, org in CaseShare.objects.filter(
            case=case).values_list("pk", "sections", "grantee_organisation__name")}
    return [HistoryEntry(time=e.time, who=names.get(e.actor_id) or _who_by_role(e),
                         what=_what(e), section=_section(e, categories, shares),
                         detail=_detail(e, names, shares))
            for e in events]


def _fact(event: AuditEvent, name: str) -> Any:
    return event.facts.get(name) if isinstance(event.facts, dict) else None


def _who_by_role(event: AuditEvent) -> str:
    if event.actor_id is None:
        return str(_("the system"))
    return role_label(event.actor_role) or str(_("a former user"))


def _what(event: AuditEvent) -> str:
    change = _fact(event, "change")
    if event.action == Action.CASE_UPDATE and change in CHANGE_LABELS:
        return str(CHANGE_LABELS[change])
    if event.action == Action.CASE_UPDATE and event.section == "tasks" \
            and _fact(event, "done") is not None:
        return str(_("Task marked as done") if _fact(event, "done") else _("Task reopened"))
    if event.action == Action.BOOKING_CHANGE and change in BOOKING_CHANGES:
        return str(BOOKING_CHANGES[change])
    return event.action_label


def _sections(codes: Iterable[str]) -> str:
    return ", ".join(section_label(c) for c in codes)


def _section(event: AuditEvent, categories: dict, shares: dict) -> str:
    if event.action in _SHARE_ACTIONS:
        codes = _fact(event, "sections") or shares.get(event.target_id, ((), ""))[0]
        return _sections(codes)
    if event.target_type == "cases.document":
        category = _fact(event, "category") or categories.get(event.target_id)
        return section_label(f"documents.{category}" if category else "documents")
    if event.action in (Action.NOTE_CREATE, Action.NOTE_UPDATE):
        category = _fact(event, "category")
        return section_label(f"notes.{category}" if category else "notes")
    if event.action == Action.CASE_UPDATE and not event.section \
            and event.target_type == "cases.case":
        return section_label("residency")  # the case's own fields are its residency's
    section = event.section or SECTION_OF.get(event.action, "")
    return section_label(section) if section else ""


def _stage(code: Any) -> str:
    try:
        return str(Stage(code).label)
    except ValueError:
        return ""


def _detail(event: AuditEvent, names: dict, shares: dict) -> str:
    if event.action == Action.CASE_TRANSITION:
        return f"{_stage(_fact(event, 'from_stage'))} → {_stage(_fact(event, 'to_stage'))}"
    if event.action == Action.SHARE_GRANT:
        grantee = names.get(_fact(event, "grantee_user_id")) \
            or shares.get(event.target_id, ((), ""))[1] or ""
        return str(_("with %(grantee)s") % {"grantee": grantee}) if grantee else ""
    if event.action == Action.CASE_UPDATE and _fact(event, "change") in ("task_create",
                                                                       "task_reschedule"):
        due = _fact(event, "due_on")
        return str(_("due %(date)s") % {"date": _local_date(due)}) if due else ""
    return ""


def _local_date(iso: str) -> str:
    try:
        return date_format(datetime.date.fromisoformat(iso), "j F Y")
    except (TypeError, ValueError):
        return ""
