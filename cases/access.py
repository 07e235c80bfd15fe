"""The guards of the case workspace: one per object type, each the only way its views get it.

A guard looks the object up through `cases.selectors`, asks `cases.policies`, records the
decision in the access log and answers 404 where the user may not know the object exists (403
where they may see it but not do this). Views name the guards they call with
`shelter.access.guarded_by`; a guard's return value is the object the view works on.

One page view is one entry: `access_case` records the first section it is asked for and lists
every section actually shown in its facts (one chained append per request keeps auditing cheap,
see `make bench`). Writes are recorded by the services that perform them; refusals here.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import models
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from cases import policies, selectors
from cases.models import Activity, Case, Document, IntakeRound, Task
from cases.sharing import grants
from cases.sharing import policies as sharing
from shelter import audit
from shelter.access import guard
from shelter.audit import Action
from shelter.audit.web import mark_audited, record_refusal
from shelter.links import SAMPLE_UUID, kept_link_maker

TARGET = "cases.case"

# (section, url name, label) of the case page's tabs, in order.
TABS = [
    ("basic", "cases:profile", _("Profile")),
    ("residency", "cases:residency", _("Residency")),
    ("logistics", "cases:logistics", _("Logistics")),
    ("programme", "cases:programme", _("Programme")),
    ("housing", "housing:case", _("Housing")),
    ("budget", "budget:case", _("Budget")),
    ("documents", "cases:documents", _("Documents")),
    ("notes", "cases:notes", _("Notes")),
    ("tasks", "cases:tasks", _("Tasks")),
    ("history", "cases:history", _("History")),
]


def refuse(request: HttpRequest, case_id: uuid.UUID | str | None, section: str = "") -> Http404:
    """Record a refusal and return the 404 to raise (existence of cases is secret)."""
    record_refusal(request, TARGET, case_id, section=section)
    return Http404()


def _forbid(request: HttpRequest, case_id: object, section: str, reason: str = "") \
        -> PermissionDenied:
    """Record a refusal of a user who may know the case exists, and return the 403 to raise."""
    facts = {"reason": reason} if reason else {}
    record_refusal(request, TARGET, case_id, section=section, **facts)
    return PermissionDenied()


def shown_sections(user: object, case: Case, sections: Iterable[str]) -> list[str]:
    """Those of `sections` the user may see on `case`, in order."""
    return [s for s in sections if policies.can_view_section(user, case, s)]


# --- collections: the list, search, statistics, creation, the agenda ------------------------
@guard
def access_case_list(request: HttpRequest) -> None:
    """The case list, statistics and intake rounds: coordinators and case officers; others 404."""
    if not policies.can_list_cases(request.user):
        raise refuse(request, None, "list")


@guard
def access_case_list_page(request: HttpRequest, filters: dict, number: object) -> Page:
    """Page `number` of the case list with `filters` applied: looked up through the selector
    and recorded as one read (page number and result count, never the filters' values)."""
    access_case_list(request)
    page = Paginator(selectors.case_list_page(request.user, filters),
                     selectors.LIST_PAGE_SIZE).get_page(number)
    _record_list(request, Action.CASE_LIST, list(page.object_list), page=page.number,
                 results=page.paginator.count)
    mark_audited(request)
    return page


def _record_list(request: HttpRequest, action: Action, cases: list[Case], **facts: object) -> None:
    """A page of several cases: one line per data subject (one entry per case, in one
    statement), or one entry without a subject when the page is empty."""
    if cases:
        audit.record_each(request.user, action, cases, **facts)
    else:
        audit.record(request.user, action, None, **facts)


@guard
def access_statistics(request: HttpRequest, year: int) -> None:
    """The statistics page (aggregates only): as the case list; recorded as one view of the
    year's figures, with no data subject (SECURITY.md, "One line per data subject")."""
    access_case_list(request)
    audit.record(request.user, Action.STATISTICS_VIEW, None, section="statistics", year=year)
    mark_audited(request)


@guard
def access_case_search(request: HttpRequest, query: str | None = None) -> list[Case]:
    """Search: staff, and partners (who only ever find what is shared with them). With a
    valid `query`, its results, recorded as one search (the count, never the query)."""
    if not policies.can_search_cases(request.user):
        raise refuse(request, None, "search")
    mark_audited(request)
    if query is None:
        return []
    results = selectors.cases_search_results(request.user, query)
    _record_list(request, Action.CASE_SEARCH, list(results), results=len(results))
    return results


@guard
def access_case_create(request: HttpRequest) -> None:
    """Opening a case: staff who may create cases; everyone else 404."""
    if not policies.can_list_cases(request.user):
        raise refuse(request, None, "list")
    if not policies.can_create_case(request.user):
        raise refuse(request, None, "create")
    mark_audited(request)


@guard
def access_agenda(request: HttpRequest, start: datetime.date, days: int = 14
                  ) -> list[Activity]:
    """The agenda of `days` days from `start` for those who may search; each case shown is
    recorded as a read of its programme (in case-id order, one entry per case)."""
    if not policies.can_search_cases(request.user):
        raise refuse(request, None, "search")
    activities = selectors.agenda(request.user, start, days)
    cases = {a.case_id: a.case for a in activities}
    for case_id in sorted(cases, key=str):
        audit.record(request.user, Action.CASE_VIEW_SECTION, cases[case_id],
                     section="programme")
    mark_audited(request)
    return activities


# --- one case -------------------------------------------------------------------------------
@guard
def access_case(request: HttpRequest, pk: uuid.UUID | str, section: str, *shown: str,
                write: bool = False, contribute: bool = False) -> Case:
    """The case for a page of `section` (also showing `shown`), or for a write to it.

    - a read (the default) is recorded with every section of `section, *shown` the user may
      see listed in its facts;
    - `write=True`: changing the case (its stage, documents, tasks, programme); 403 "read_only"
      for a user who may see the section but not change the case (a tombstone, a partner);
    - `contribute=True`: adding to `section` ("programme", "notes.<c>", "documents[.<c>]"):
      staff who may change the case or a partner whose may-contribute share names it, else 403.

    A GET for a write (its form, or its confirmation page) shows what it is about, so it is
    recorded as a read too. 404 (recorded) whenever the user may not see the section's page,
    whether the case exists or not. Writes are recorded by the services that perform them.
    """
    page = section.split(".")[0]
    case = selectors.case_get_for(request.user, pk)
    if case is None or not policies.can_view_section(request.user, case, page):
        raise refuse(request, pk, page)
    if write and not policies.can_change_case(request.user, case):
        raise _forbid(request, pk, page, "read_only")
    if contribute and not policies.can_contribute(request.user, case, section):
        raise _forbid(request, pk, page, "read_only")
    if not (write or contribute) or request.method == "GET":
        audit.record(request.user, Action.CASE_VIEW_SECTION, case, section=section,
                     sections=shown_sections(request.user, case, (section, *shown)))
    mark_audited(request)
    return case


@guard
def access_subject_export(request: HttpRequest, pk: uuid.UUID | str) -> Case:
    """The case whose defender's subject-access export is asked for: coordinators only (403
    for others who know the case exists). The export itself records what it hands out."""
    case = selectors.case_get_for(request.user, pk)
    if case is None:
        raise refuse(request, pk, "identity")
    if not policies.can_export_subject_data(request.user, case):
        raise _forbid(request, pk, "export")
    mark_audited(request)
    return case


@guard
def access_document(request: HttpRequest, pk: uuid.UUID | str, document_id: uuid.UUID | str,
                    *, write: bool = False) -> Document:
    """A live document of case `pk` whose category the user may see (404 otherwise); with
    `write`, to replace or delete it (the case must be changeable, else 403). A download is
    recorded by `open_document` before its first byte."""
    if write:
        case = access_case(request, pk, "documents", write=True)
    else:
        case = selectors.case_get_for(request.user, pk)
        if case is None:
            raise refuse(request, pk, "documents")
    document = selectors.document_get_for(request.user, case, document_id)
    if document is None:
        raise refuse(request, case.pk, "documents")
    document.case = case  # the guard's case, with its defender and officer already loaded
    mark_audited(request)
    return document


@guard
def access_task(request: HttpRequest, pk: uuid.UUID | str, task_id: uuid.UUID | str) -> Task:
    """A task of case `pk`, to tick off or reschedule: staff on a changeable case."""
    case = access_case(request, pk, "tasks", write=True)
    task = selectors.task_get_for(request.user, case, task_id)
    if task is None:
        raise refuse(request, pk, "tasks")
    return task


@guard
def access_activity(request: HttpRequest, pk: uuid.UUID | str, activity_id: uuid.UUID | str
                    ) -> Activity:
    """A planned activity of case `pk`, to change or cancel: staff on a changeable case."""
    case = access_case(request, pk, "programme", write=True)
    activity = selectors.activity_get_for(request.user, case, activity_id)
    if activity is None:
        raise refuse(request, pk, "programme")
    return activity


@guard
def access_legal_hold(request: HttpRequest, pk: uuid.UUID | str) -> Case:
    """The case whose legal hold page is asked for: coordinators (recorded as a read); 403
    for case officers, 404 for everyone else (partners: like any section not shared)."""
    case = selectors.case_get_for(request.user, pk)
    if (case is None or not policies.can_list_cases(request.user)
            or not policies.can_view_section(request.user, case, "basic")):
        raise refuse(request, pk, "legal_hold")
    if not policies.can_manage_legal_hold(request.user, case):
        raise _forbid(request, pk, "legal_hold")
    if request.method == "GET":
        audit.record(request.user, Action.CASE_VIEW_SECTION, case, section="legal_hold",
                     sections=["legal_hold"])
    mark_audited(request)
    return case


@guard
def access_intake_round(request: HttpRequest, round_id: uuid.UUID | str | None = None, *,
                        write: bool = False) -> IntakeRound | None:
    """Intake rounds: staff see them (404 for everyone else); coordinators open and change
    them (403 for officers). With `round_id`, that round (404 if there is none)."""
    if not policies.can_list_cases(request.user):
        raise refuse(request, None, "list")
    if write and not policies.can_manage_rounds(request.user):
        raise PermissionDenied
    return get_object_or_404(IntakeRound, pk=round_id) if round_id else None


def tabs(request: HttpRequest, case: Case, current: str) -> list[dict]:
    """The tabs the user may open, for the case page header (each route's address made once
    per process, `shelter.links.kept_link_maker`: a page asks for them on every request)."""
    found = [{"url": kept_link_maker(name, SAMPLE_UUID)(case.pk), "label": label,
              "current": section == current}
             for section, name, label in TABS
             if policies.can_view_section(request.user, case, section)]
    if sharing.can_share(request.user, case):
        found.append({"url": kept_link_maker("cases:sharing", SAMPLE_UUID)(case.pk),
                      "label": _("Sharing"), "current": current == "sharing"})
    return found


def share_summary(request: HttpRequest, case: Case) -> dict | None:
    """For a partner: what their shares open on this case and until when (shown on every tab)."""
    if not request.user.is_partner:
        return None
    grant = grants.grant_for(request.user, case)
    return {"expires_at": grant.expires_at, "contribute": grant.contribute}


def _label(choices: type[models.TextChoices], value: str) -> str:
    """`get_<field>_display()` of a choice field, without building its choices' dict."""
    try:
        return choices(value).label
    except ValueError:
        return value


def case_context(request: HttpRequest, case: Case, current: str, **extra: object) -> dict:
    """Context shared by every case page; permissions decided here, not in templates."""
    user = request.user
    can_transition = policies.can_transition(user, case)
    can_legal_hold = policies.can_manage_legal_hold(user, case)
    return {
        "case": case, "tabs": tabs(request, case, current), "current_tab": current,
        "stage_label": _label(Case.Stage, case.stage),
        "risk_label": _label(Case.RiskLevel, case.risk_level),
        "can_change": policies.can_change_case(user, case),
        "can_transition": can_transition,
        "transition_url": kept_link_maker("cases:transition", SAMPLE_UUID)(case.pk)
        if can_transition else None,
        "share": share_summary(request, case),
        "can_break_glass": sharing.can_break_glass(user, case),
        "can_legal_hold": can_legal_hold,
        "legal_hold_url": kept_link_maker("cases:legal_hold", SAMPLE_UUID)(case.pk)
        if can_legal_hold else None,
        **extra,
    }
