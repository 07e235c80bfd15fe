"""Reads of cases. The reader is always passed in; everything starts at `visible_cases`.

Selectors return data the user may see; the views still ask `policies` for sections, and the
guards in `cases.access` record each read in the access log. Selectors never write.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import Count, F, IntegerField, Max, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cases import policies
from cases.choices import Stage
from cases.models import (
    NAME_TOKEN_PURPOSE,
    Activity,
    Case,
    CaseTransition,
    Defender,
    Document,
    FieldOfWork,
    IntakeRound,
    LegalHold,
    Note,
    Task,
)
from cases.sharing import grants
from shelter.accounts.models import User
from shelter.accounts.roles import Role
from shelter.crypto.api import blind_index_hex, name_token_lookup, name_tokens, prefetch_data_keys

LIST_PAGE_SIZE = 50
MAX_QUERY_TOKENS = 10

# The case list's sort keys (`?sort=code_name`, `?sort=-code_name`): plain fields only, never an
# encrypted one (its ciphertext order means nothing and would leak a comparison).
CASE_SORT_KEYS = ("code_name", "stage", "officer", "arrival", "departure")
_STAGE_ORDER = SqlCase(*[When(stage=stage.value, then=Value(number))
                       for number, stage in enumerate(Stage)], output_field=IntegerField())


def _sort_expression(key: str) -> Any:
    return {"code_name": F("defender__code_name"), "stage": _STAGE_ORDER,
            "officer": F("assigned_officer__full_name"), "arrival": F("planned_arrival"),
            "departure": F("planned_departure")}[key]


def case_ordering(sort: str | None) -> list[Any]:
    """ORDER BY for `sort` (a key of CASE_SORT_KEYS, "-" for descending; empty: newest first).
    Empty values sort last either way; the newest case breaks ties, so pages are stable."""
    key = (sort or "").lstrip("-")
    if key not in CASE_SORT_KEYS:
        return ["-created_at", "pk"]
    expression = _sort_expression(key)
    first = (expression.desc(nulls_last=True) if (sort or "").startswith("-")
             else expression.asc(nulls_last=True))
    return [first, "-created_at", "pk"]


def visible_cases(user: User | None) -> QuerySet[Case]:
    """The cases `user` may know exist (`policies.visible_cases_filter` decides). Every read of
    cases starts here, so no page, search or export can forget the reader."""
    condition = policies.visible_cases_filter(user)
    return Case.objects.none() if condition is None else Case.objects.filter(condition)


def cases_visible_to(user: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Case]:
    """The user's case list, filtered (stage, officer, year, country) and sorted (`sort`, see
    `case_ordering`); constant query count."""
    filters = filters or {}
    cases = (visible_cases(user)
             .select_related("defender", "assigned_officer")
             .order_by(*case_ordering(filters.get("sort"))))
    if filters.get("stage"):
        cases = cases.filter(stage=filters["stage"])
    if filters.get("officer"):
        cases = cases.filter(assigned_officer=filters["officer"])
    if filters.get("year"):
        year = int(filters["year"])
        cases = cases.filter(Q(planned_arrival__year=year) | Q(actual_arrival__year=year)
                             | Q(planned_arrival__isnull=True, nominated_on__year=year))
    if filters.get("intake_round"):
        cases = cases.filter(intake_round=filters["intake_round"])
    if filters.get("country"):
        cases = cases.filter(defender__country_of_activity=filters["country"].upper())
    return cases


# What the case table shows (`cases.rows`) and the access log's lines need (the case and its
# defender's ids, always loaded): a list page does not build every sealed field of 50 cases.
CASE_TABLE_FIELDS = ("stage", "planned_arrival", "planned_departure", "created_at",
                     "defender__code_name", "defender__country_of_activity",
                     "assigned_officer__full_name")


def case_list_page(user: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Case]:
    """`cases_visible_to` with the case table's columns only (the case list's pages)."""
    return cases_visible_to(user, filters).only(*CASE_TABLE_FIELDS)


def rounds_with_counts(user: User) -> list[IntakeRound]:
    """Intake rounds, each with `.nominated` (cases the user sees) and `.accepted` counts."""
    visible = visible_cases(user)
    accepted = [Stage.ACCEPTED, Stage.PREPARING_ARRIVAL, Stage.IN_RESIDENCE,
                Stage.DEPARTED, Stage.FOLLOW_UP, Stage.CLOSED]
    in_view = Q(cases__in=visible.values("pk"))
    return list(IntakeRound.objects.annotate(
        nominated=Count("cases", filter=in_view),
        accepted=Count("cases", filter=in_view & Q(cases__stage__in=accepted)),
    ).order_by("-opens_on"))


def cases_search(user: User, query: str) -> QuerySet[Case]:
    """Cases whose defender has every name token of `query` among the tokens of their legal
    and other names (blind indexes: "Amina", "wanjiru", "Amina Wanjiru"), or whose full legal
    name or passport number is `query` (blind indexes), or whose code name begins with `query`.

    Case and accents do not matter (the blind index normalises). Names match whole tokens only:
    "Ami" finds no Amina, by design (an HMAC cannot match a part). Code names are pseudonyms,
    so their beginning is enough.
    """
    query = (query or "").strip()
    if not query:
        return Case.objects.none()
    name = blind_index_hex("defender.legal_name", query)
    passport = blind_index_hex("defender.passport_number", query, alnum_only=True)
    matches = (Q(defender__legal_name_bidx=name) | Q(defender__code_name__istartswith=query))
    tokens = name_tokens(query)[:MAX_QUERY_TOKENS]
    if tokens:
        every_token = Q()
        for token in tokens:
            every_token &= Q(defender__name_tokens__contains=name_token_lookup(
                NAME_TOKEN_PURPOSE, token))
        matches |= every_token
    if any(ch.isalnum() for ch in query):  # "---" must not match an empty passport number
        matches |= Q(defender__passport_bidx=passport)
    return cases_visible_to(user).filter(matches)


def cases_search_results(user: User, query: str, limit: int = 50) -> list[Case]:
    """`cases_search`, redacted: a partner finds a case by a name or passport number only
    if its identity is shared with them, by code name only if "basic" is."""
    results = list(cases_search(user, query)[:limit])
    if not user.is_partner:
        return results
    grants.load_grants(user, results)
    code = (query or "").strip().casefold()
    return [c for c in results if policies.can_view_section(user, c, "identity")
            or (c.defender.code_name.casefold().startswith(code)
                and policies.can_view_section(user, c, "basic"))]


def case_get_for(user: User, case_id: uuid.UUID | str) -> Case | None:
    """One case if `user` may know it exists, else None (the view answers 404), with the facts
    the policies decide on: a partner's grant, a coordinator's break-glass opening."""
    # One row by its key: no ORDER BY (`.first()` would sort by the model's ordering).
    found = list(with_policy_facts(visible_cases(user), user)
                 .select_related("defender", "assigned_officer").filter(pk=case_id)
                 .order_by()[:1])
    case = found[0] if found else None
    if case is not None and getattr(user, "is_partner", False):
        grants.load_grants(user, [case])
    return case


def with_policy_facts(cases: QuerySet[Case], user: User) -> QuerySet[Case]:
    """`cases` with what the policies need to know beyond the row, in the same query: for a
    coordinator, when their break-glass opening of each case ends."""
    return grants.with_break_glass(cases, user) if getattr(user, "is_coordinator", False) \
        else cases


def defenders_for_choice(user: User) -> QuerySet[Defender]:
    """Defenders with a case the user can see (for "pick an existing defender")."""
    visible = visible_cases(user).values("defender_id")
    return Defender.objects.filter(pk__in=visible).order_by("code_name")


def officers() -> QuerySet[User]:
    """Active case officers and coordinators, who can be assigned to a case."""
    return (User.objects.filter(is_active=True,
                                groups__name__in=[Role.CASE_OFFICER, Role.COORDINATOR])
            .distinct().order_by("full_name"))


def officer_choices() -> list[tuple[int, str]]:
    """`officers()` as (id, name) for a filter's list (one query, no cursor: see
    `shelter.forms.QuickSelect`); the name is the e-mail address where none."""
    return [(pk, name or email)
            for pk, name, email in officers().values_list("pk", "full_name", "email")]


def intake_round_choices() -> list[tuple[uuid.UUID, str]]:
    """Every intake round as (id, name), newest first (the filter's list)."""
    return list(IntakeRound.objects.values_list("pk", "name"))


def case_documents(user: User, case: Case) -> list[Document]:
    """Current versions (not replaced, not deleted) of the case's documents, with history."""
    if not policies.can_view_section(user, case, "documents"):
        return []
    documents = (case.documents.filter(deleted_at__isnull=True, replaced_by__isnull=True)
                 .select_related("uploaded_by").order_by("-uploaded_at"))
    return [d for d in documents
            if policies.can_view_document_category(user, case, d.category)]


def document_get_for(user: User, case: Case, document_id: uuid.UUID | str) -> Document | None:
    """A live document of `case` the user may see, else None."""
    if not policies.can_view_section(user, case, "documents"):
        return None
    document = (case.documents.filter(pk=document_id, deleted_at__isnull=True)
                .select_related("case").first())
    if document is None or not policies.can_view_document_category(user, case,
                                                                   document.category):
        return None
    return document


def case_notes(user: User, case: Case) -> tuple[list[Note], int]:
    """(notes the user may read, number of notes withheld by policy).

    Partners are not told how many notes they cannot read: that medical or security notes
    exist at all says something about the defender.
    """
    notes = list(case.notes.select_related("author").order_by("-created_at"))
    visible = [n for n in notes if policies.can_view_note_category(user, case, n.category)]
    return visible, 0 if user.is_partner else len(notes) - len(visible)


def case_tasks(case: Case) -> list[Task]:
    """The case's checklist, open tasks first, by due date (with each owner, who is shown)."""
    return sorted(case.tasks.select_related("owner"),
                  key=lambda t: (t.is_done, t.due_on or datetime.date.max))


def case_transitions(case: Case) -> list[CaseTransition]:
    """The stage history, newest first."""
    return list(case.transitions.select_related("actor").order_by("-created_at"))


def task_get_for(user: User, case: Case, task_id: uuid.UUID | str) -> Task | None:
    """A task of `case` if the user may see the case's tasks."""
    if not policies.can_view_section(user, case, "tasks"):
        return None
    return case.tasks.filter(pk=task_id).first()


# --- dashboard -----------------------------------------------------------------------------
def dashboard_summary(user: User, days: int = 30) -> dict[str, Any]:
    """Arrivals and departures in the next `days`, cases per stage, open tasks due/overdue."""
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=days)
    cases = visible_cases(user).select_related("defender")
    arrivals = cases.filter(planned_arrival__range=(today, horizon), actual_arrival__isnull=True,
                            stage__in=[Stage.ACCEPTED, Stage.PREPARING_ARRIVAL])
    departures = cases.filter(planned_departure__range=(today, horizon),
                              stage=Stage.IN_RESIDENCE)
    # COUNT(*), not COUNT(id): the stage index alone answers it (COUNT(id) reads every row
    # for its id on SQLite, several times slower at 10k cases).
    counts = dict(cases.order_by().values_list("stage").annotate(n=Count("*")))
    per_stage = [(stage, counts.get(stage.value, 0)) for stage in Stage]
    open_tasks = Task.objects.filter(case__in=cases.values("pk"), done_at__isnull=True)
    mine = open_tasks.filter(owner=user)
    week = today + datetime.timedelta(days=7)
    tasks = open_tasks.aggregate(  # both counts in one statement
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        due=Count("pk", filter=Q(due_on__range=(today, week))))
    my_tasks = list(mine.select_related("case__defender").only(
        "case_id", "due_on", "title_key", "own_title", "case__defender__code_name")
        .filter(due_on__lte=week).order_by("due_on")[:10])
    # An officer's own task title is sealed under its case's key: every key in one query.
    prefetch_data_keys("case", {task.case_id for task in my_tasks if not task.title_key})
    # The panel shows a date and a code name per line: only those columns are read, not the
    # case's and the defender's other few dozen (their SELECT list was most of the panel).
    return {
        "arrivals": list(arrivals.only("planned_arrival", "defender__code_name")
                         .order_by("planned_arrival")[:10]),
        "departures": list(departures.only("planned_departure", "defender__code_name")
                           .order_by("planned_departure")[:10]),
        "per_stage": per_stage,
        "tasks_overdue": tasks["overdue"],
        "tasks_due": tasks["due"],
        "my_tasks": my_tasks,
    }



# --- programme -----------------------------------------------------------------------------
def case_activities(user: User, case: Case) -> list[Activity]:
    """The case's programme, by day, if the user may see the programme section."""
    if not policies.can_view_section(user, case, "programme"):
        return []
    return list(case.activities.order_by("day", "created_at"))


def activity_get_for(user: User, case: Case, activity_id: uuid.UUID | str) -> Activity | None:
    if not policies.can_view_section(user, case, "programme"):
        return None
    return case.activities.filter(pk=activity_id, cancelled_at__isnull=True).first()


def agenda(user: User, start: datetime.date, days: int = 14) -> list[Activity]:
    """Activities of every visible case in [start, start + days) whose programme the user may
    see (the guard `cases.access.access_agenda` records the reads).

    Data keys of all cases on the page are fetched in one query before decryption.
    """
    end = start + datetime.timedelta(days=days)
    visible = visible_cases(user).filter(shredded_at__isnull=True)
    activities = list(Activity.objects.filter(case__in=visible, day__gte=start, day__lt=end,
                                              cancelled_at__isnull=True)
                      .select_related("case__defender").order_by("day", "created_at"))
    cases = {a.case_id: a.case for a in activities}
    if user.is_partner:
        grants.load_grants(user, cases.values())
    activities = [a for a in activities
                  if policies.can_view_section(user, cases[a.case_id], "programme")]
    prefetch_data_keys("case", {a.case_id for a in activities})
    return activities


# --- retention -----------------------------------------------------------------------------
FINAL_STAGES = (Stage.CLOSED, Stage.REJECTED, Stage.WITHDRAWN)


def _ended_before(cutoff: datetime.datetime) -> QuerySet[Case]:
    """Unshredded cases that reached a final stage before `cutoff`, held or not."""
    ended = Coalesce(Max("transitions__created_at",
                         filter=Q(transitions__to_stage__in=FINAL_STAGES)), "updated_at")
    return (Case.objects.filter(stage__in=FINAL_STAGES, shredded_at__isnull=True)
            .annotate(ended_at=ended).filter(ended_at__lt=cutoff))


def _held() -> Q:
    return Q(pk__in=LegalHold.objects.filter(lifted_at__isnull=True).values("case_id"))


def cases_due_for_retention(cutoff: datetime.datetime) -> QuerySet[Case]:
    """Unshredded cases that reached a final stage before `cutoff` and are not under an active
    legal hold (a system read, no user)."""
    return (_ended_before(cutoff).exclude(_held()).select_related("defender")
            .order_by("ended_at"))


def cases_held_past_retention(cutoff: datetime.datetime) -> int:
    """How many cases retention would shred at `cutoff` but an active legal hold keeps."""
    return _ended_before(cutoff).filter(_held()).count()


def legal_hold_active(case: Case) -> LegalHold | None:
    """The case's active legal hold, if any (the caller may see the case's hold panel)."""
    return (LegalHold.objects.filter(case=case, lifted_at__isnull=True)
            .select_related("placed_by").first())


def legal_holds_of(case: Case) -> list[LegalHold]:
    """Every hold of `case`, newest first (lifted ones are its record)."""
    return list(LegalHold.objects.filter(case=case).select_related("placed_by", "lifted_by"))


# --- statistics ----------------------------------------------------------------------------
SMALL_COUNT = 3  # no count below this is shown or can be worked out: reports travel further


def _count_by(cases: QuerySet[Case], field: str,
              labels: dict[str, Any] | None = None) -> list[tuple[Any, int]]:
    rows = cases.order_by().values_list(field).annotate(n=Count("*")).order_by("-n", field)
    return [((labels or {}).get(key, key) or "—", count) for key, count in rows]


def protect_small_counts(rows: list[tuple[Any, int]], others: Any) -> list[tuple[Any, int | None]]:
    """`rows` (largest first) with every count below SMALL_COUNT folded into one `others` row.

    If that row is itself below SMALL_COUNT, the smallest shown rows join it until it is not:
    otherwise the total minus the shown rows would give the small count away. So every row
    shown is at least SMALL_COUNT, the rows add up to the total, and a small category (such as
    the one country a single defender comes from) is never named. Only when everything together
    is below SMALL_COUNT is the one remaining row shown as None ("fewer than 3").
    """
    shown = [(label, n) for label, n in rows if n >= SMALL_COUNT]
    folded = sum(n for _label, n in rows if n < SMALL_COUNT)
    while 0 < folded < SMALL_COUNT and shown:
        folded += shown.pop()[1]
    if folded:
        shown.append((others, folded if folded >= SMALL_COUNT else None))
    return shown


def residency_statistics(user: User, year: int) -> dict[str, Any]:
    """Counts of residencies starting (actual, else planned, arrival) in `year`.

    Plain fields only, nothing decrypted. Every breakdown goes through `protect_small_counts`,
    because such tables end up in reports; a total below SMALL_COUNT is not shown either.
    """
    cases = visible_cases(user).filter(
        Q(actual_arrival__year=year) | Q(actual_arrival__isnull=True, planned_arrival__year=year))
    total = cases.count()
    others = _("Others combined")
    return {
        "year": year, "total": total if total == 0 or total >= SMALL_COUNT else None,
        "small_count": SMALL_COUNT,
        "per_stage": protect_small_counts(
            _count_by(cases, "stage", dict(Stage.choices)), others),
        "per_country": protect_small_counts(
            _count_by(cases, "defender__country_of_activity", dict(countries)), others),
        "per_field": protect_small_counts(
            _count_by(cases, "defender__field_of_work", dict(FieldOfWork.choices)), others),
    }
