"""Reads of a case's logistics: the rows of one case for its page, and the checks' facts of
many cases at once (the guard, the warnings on the case pages and the dashboard, the daily
reminder). They take the user where a user reads, and never write.

Loading many cases costs one query per table (documents, legs, accompanying persons) and one
for their data keys, whatever the number of cases: the dashboard panel's budget.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from cases import policies
from cases.choices import Stage
from cases.logistics import checks
from cases.logistics.models import Companion, TravelDocuments, TravelLeg
from cases.models import Case
from cases.selectors import visible_cases
from shelter.accounts.models import User
from shelter.crypto.api import is_withheld, prefetch_data_keys

# Stages whose documents must cover the stay: warnings and reminders look at these.
WATCHED_STAGES = (Stage.ACCEPTED, Stage.PREPARING_ARRIVAL, Stage.IN_RESIDENCE)
# From "Preparing arrival" on, the outbound journey must be booked as well.
OUTBOUND_STAGES = (Stage.PREPARING_ARRIVAL, Stage.IN_RESIDENCE)


def passport_months() -> int:
    return int(getattr(settings, "SHELTER_PASSPORT_VALID_MONTHS", 6))


def _plain(value: Any) -> Any:
    """A sealed value as the checks take it: a value that failed its check counts as absent."""
    return None if value is None or is_withheld(value) else value


@dataclass
class CaseLogistics:
    """What one case's logistics page shows."""

    documents: TravelDocuments | None
    companions: list[Companion]
    companion_documents: dict[uuid.UUID, TravelDocuments]
    legs: list[TravelLeg]


def case_logistics(user: User, case: Case) -> CaseLogistics:
    """The rows of `case` (the guard allowed "logistics"). Everything is under the case key."""
    prefetch_data_keys("case", [case.pk])
    documents = list(TravelDocuments.objects.filter(case=case))
    companions = list(Companion.objects.filter(case=case).order_by("number"))
    legs = list(TravelLeg.objects.filter(case=case).order_by("travel_on", "created_at"))
    by_companion = {d.companion_id: d for d in documents if d.companion_id}
    for companion in companions:
        companion.case = case
    for leg in legs:
        leg.case = case
    for row in documents:
        row.case = case
    return CaseLogistics(
        documents=next((d for d in documents if d.companion_id is None), None),
        companions=companions, companion_documents=by_companion, legs=legs)


def companions_of(user: User, case: Case) -> QuerySet[Companion]:
    """The accompanying persons of `case` (the guard checked the case), by number."""
    return Companion.objects.filter(case=case).order_by("number")


def companion_get_for(user: User, case: Case, companion_id: uuid.UUID | str
                      ) -> Companion | None:
    """An accompanying person of `case` (the guard checked the case), or None."""
    companion = Companion.objects.filter(case=case, pk=companion_id).first()
    if companion is not None:
        companion.case = case
    return companion


def leg_get_for(user: User, case: Case, leg_id: uuid.UUID | str) -> TravelLeg | None:
    """A travel leg of `case` (the guard checked the case), or None."""
    leg = TravelLeg.objects.filter(case=case, pk=leg_id).first()
    if leg is not None:
        leg.case = case
    return leg


def documents_of(case: Case, companion: Companion | None) -> TravelDocuments | None:
    """The traveller's documents row, if one is recorded."""
    rows = TravelDocuments.objects.filter(case=case)
    row = (rows.filter(companion=companion) if companion is not None
           else rows.filter(companion__isnull=True)).first()
    if row is not None:
        row.case = case
    return row


# --- the checks' facts -------------------------------------------------------------------------
def _traveller(number: int, row: TravelDocuments | None, statuses: list[str]
               ) -> checks.Traveller:
    if row is None:
        return checks.Traveller(number=number, outbound_statuses=tuple(statuses))
    return checks.Traveller(
        number=number, passport_expires_on=_plain(row.passport_expires_on),
        visa_type=row.visa_type, visa_decision=row.visa_decision,
        visa_valid_from=_plain(row.visa_valid_from),
        visa_valid_until=_plain(row.visa_valid_until),
        insurance_from=_plain(row.insurance_from), insurance_until=_plain(row.insurance_until),
        outbound_statuses=tuple(statuses))


@dataclass
class Facts:
    """The checks' facts of some cases: their travellers, and which cases record any
    logistics at all (a traveller's documents, a journey or an accompanying person)."""

    travellers: dict[uuid.UUID, list[checks.Traveller]]
    recorded: set[uuid.UUID]


def travellers_of(cases: Iterable[Case]) -> Facts:
    """The checks' facts of every traveller of `cases`: one query per table and one for the
    case keys, whatever the number of cases."""
    ids = [c.pk for c in cases]
    if not ids:
        return Facts({}, set())
    prefetch_data_keys("case", ids)
    documents = list(TravelDocuments.objects.filter(case_id__in=ids))
    companions = list(Companion.objects.filter(case_id__in=ids).values_list(
        "pk", "case_id", "number"))
    outbound = defaultdict(list)
    legs = set()
    for case_id, companion_id, direction, status in TravelLeg.objects.filter(
            case_id__in=ids).values_list("case_id", "companion_id", "direction", "status"):
        legs.add(case_id)
        if direction == TravelLeg.Direction.OUTBOUND:
            outbound[(case_id, companion_id)].append(status)
    rows = {(d.case_id, d.companion_id): d for d in documents}
    found: dict[uuid.UUID, list[checks.Traveller]] = {}
    for case_id in ids:
        found[case_id] = [_traveller(0, rows.get((case_id, None)), outbound[(case_id, None)])]
    for companion_id, case_id, number in sorted(companions, key=lambda c: c[2]):
        found[case_id].append(_traveller(number, rows.get((case_id, companion_id)),
                                         outbound[(case_id, companion_id)]))
    recorded = {d.case_id for d in documents} | legs | {c[1] for c in companions}
    return Facts(found, recorded)


def logistics_in_use() -> bool:
    """Does this installation record logistics (any traveller's documents)? Until it does,
    the guard of "In residence" lets cases pass: a programme that keeps passports and visas
    elsewhere is not blocked by an empty module (as housing does with its units)."""
    return TravelDocuments.objects.exists()


# What the checks read of a case (`warnings_of`): a panel loads these, not the whole row.
STAY_FIELDS = ("stage", "shredded_at", "planned_arrival", "planned_departure", "actual_arrival",
               "actual_departure")


def stay_of(case: Case) -> checks.Stay:
    return checks.Stay.of(case.planned_arrival, case.planned_departure, case.actual_arrival,
                          case.actual_departure)


def failures_for(case: Case, travellers: list[checks.Traveller], *, strict: bool,
                 outbound: bool) -> list[checks.Failure]:
    return checks.evaluate(stay_of(case), travellers, months=passport_months(), strict=strict,
                           outbound=outbound)


def warnings_of(cases: Iterable[Case]) -> dict[uuid.UUID, list[checks.Failure]]:
    """The warnings of each watched case that records logistics: a document recorded that no
    longer covers the stay (and, from "Preparing arrival", an outbound journey not booked).
    Shredded cases and cases with nothing recorded have none."""
    watched = [c for c in cases if c.stage in WATCHED_STAGES and not c.is_shredded]
    facts = travellers_of(watched)
    return {c.pk: found for c in watched if c.pk in facts.recorded
            and (found := failures_for(c, facts.travellers[c.pk], strict=False,
                                       outbound=c.stage in OUTBOUND_STAGES))}


def case_warnings(user: User, case: Case) -> list[checks.Failure]:
    """The warnings of one case, for users who may see its logistics (else none)."""
    if not policies.can_view_section(user, case, "logistics"):
        return []
    return warnings_of([case]).get(case.pk, [])


def _recording_logistics(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Those of `cases` that record any logistics: only they can have a warning. Filtered in
    the database, so a dashboard does not load every watched case to find the few."""
    return cases.filter(Q(pk__in=TravelDocuments.objects.values("case_id"))
                        | Q(pk__in=TravelLeg.objects.values("case_id"))
                        | Q(pk__in=Companion.objects.values("case_id")))


def dashboard_warnings(user: User) -> list[tuple[Case, list[checks.Failure]]]:
    """The watched cases `user` may see with a warning, by planned arrival: code names and
    check codes only."""
    cases = list(_recording_logistics(
        visible_cases(user).filter(stage__in=WATCHED_STAGES, shredded_at__isnull=True))
        .select_related("defender").only(*STAY_FIELDS, "defender__code_name")
        .order_by("planned_arrival", "pk"))
    found = warnings_of(cases)
    return [(c, found[c.pk]) for c in cases if c.pk in found]


def failing_active_cases(today: datetime.date) -> list[tuple[Case, list[checks.Failure]]]:
    """For the daily reminder: watched cases with an active assigned officer and a warning."""
    cases = list(_recording_logistics(
        Case.objects.filter(stage__in=WATCHED_STAGES, shredded_at__isnull=True,
                            assigned_officer__is_active=True))
        .select_related("assigned_officer").order_by("pk"))
    found = warnings_of(cases)
    return [(c, found[c.pk]) for c in cases if c.pk in found]


def guard_failures(case: Case) -> list[checks.Failure]:
    """The strict checks before "In residence" (the lifecycle guard)."""
    return failures_for(case, travellers_of([case]).travellers[case.pk], strict=True,
                        outbound=True)
