"""What the daily reminders count, as of a day (reads only; `cases.jobs.raise_reminders` turns
each answer into notifications). Every answer is ids and counts: the job never reads a sealed
field, so no name, note or title can reach a notification.

A reminder about a case goes only to someone who may see that part of the case right now
(`cases.policies`), so a partner never hears of a case not shared with them."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q

from cases import policies
from cases.choices import Stage
from cases.models import Case, Task
from cases.selectors import case_get_for
from cases.sharing.models import CaseShare
from shelter.accounts.models import User

WEEK = datetime.timedelta(days=7)
# Stages whose dates still lie ahead: a closed, rejected or withdrawn case reminds nobody.
LIVE_STAGES = [Stage.NOMINATED, Stage.UNDER_REVIEW, Stage.ACCEPTED, Stage.PREPARING_ARRIVAL,
               Stage.IN_RESIDENCE]


@dataclass(frozen=True)
class StayDate:
    case_id: str
    officer: User
    event: str  # "arrival" or "departure"
    on: datetime.date


def may_see(user: User, case_id: object, section: str) -> bool:
    case = case_get_for(user, case_id)  # loads a partner's grants; None if not visible
    return case is not None and policies.can_view_section(user, case, section)


def tasks_due_per_owner(today: datetime.date) -> dict[User, int]:
    """Open tasks due within 7 days or overdue, counted per owner, of cases the owner may see
    the tasks of (a task of a shredded case reminds nobody)."""
    pairs = Counter(Task.objects.filter(
        done_at__isnull=True, due_on__lte=today + WEEK, owner__isnull=False,
        owner__is_active=True, case__shredded_at__isnull=True,
    ).values_list("owner_id", "case_id"))
    owners = User.objects.in_bulk({owner_id for owner_id, _case in pairs})
    counts: Counter[User] = Counter()
    for (owner_id, case_id), n in pairs.items():
        owner = owners[owner_id]
        if may_see(owner, case_id, "tasks"):
            counts[owner] += n
    return dict(counts)


def stay_dates_ahead(today: datetime.date) -> Iterator[StayDate]:
    """Planned arrivals and departures within 7 days that have not happened yet, each with the
    case's assigned officer (active, still allowed to see the case's dates)."""
    horizon = today + WEEK
    cases = (Case.objects.filter(stage__in=LIVE_STAGES, shredded_at__isnull=True,
                                 assigned_officer__is_active=True)
             .filter(Q(planned_arrival__range=(today, horizon), actual_arrival__isnull=True)
                     | Q(planned_departure__range=(today, horizon),
                         actual_departure__isnull=True))
             .select_related("assigned_officer").order_by("pk"))
    for case in cases:
        officer = case.assigned_officer
        if not may_see(officer, case.pk, "basic"):
            continue
        if case.actual_arrival is None and case.planned_arrival \
                and today <= case.planned_arrival <= horizon:
            yield StayDate(str(case.pk), officer, "arrival", case.planned_arrival)
        if case.actual_departure is None and case.planned_departure \
                and today <= case.planned_departure <= horizon:
            yield StayDate(str(case.pk), officer, "departure", case.planned_departure)


def shares_ending(now: datetime.datetime) -> Iterator[tuple[CaseShare, list[User]]]:
    """Shares in force that end within 7 days, each with who should hear of it: the person who
    granted it and the partner user(s) it is shared with (an organisation's active members)."""
    shares = (CaseShare.objects.active(now).filter(expires_at__lte=now + WEEK,
                                                   case__shredded_at__isnull=True)
              .select_related("granted_by", "grantee_user", "grantee_organisation")
              .order_by("expires_at", "pk"))
    for share in shares:
        people = [share.granted_by] if share.granted_by else []
        if share.grantee_user_id:
            people.append(share.grantee_user)
        else:
            people += list(share.grantee_organisation.members.filter(is_active=True)
                           if share.grantee_organisation.is_active else [])
        yield share, [p for p in dict.fromkeys(people) if p.is_active]
