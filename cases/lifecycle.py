"""The residency lifecycle as data: which stage may follow which (the table is in
`cases.choices`), what each stage checks and which checklist tasks entering a stage creates.
`services.case_transition` applies it. It needs no model: a guard is handed the case.

Other apps add guards with `register_guard` (the housing app: "In residence" needs a confirmed
booking) instead of editing the service. A guard registered `overridable=True` (the logistics
checks: passport, visa, insurance, outbound flight) may be overridden by a coordinator with a
reason (`cases.policies.can_override_guards`); the others never. `guard_report` tells them
apart, `guard_failures` gives the messages only.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.choices import REASON_REQUIRED, Stage

if TYPE_CHECKING:
    from cases.models import Case

# A guard returns None when the case may enter the stage, else the translated refusal, or a
# list of (code, translated refusal) pairs when it checks several things (empty: it passes).
Guard = Callable[["Case", str], "str | Promise | list[tuple[str, str | Promise]] | None"]
_GUARDS: dict[str, list[tuple[Guard, bool]]] = {}


@dataclass(frozen=True)
class GuardFailure:
    """One reason a case may not enter a stage: its message (translated), a short code (for
    the access log: never a value) and whether a coordinator may override it."""

    message: str | Promise
    code: str
    overridable: bool = False


def register_guard(stage: str, guard: Guard, *, overridable: bool = False) -> Guard:
    """Add a check that must pass before a case enters `stage` (idempotent). An overridable
    guard's failures may be overridden by a coordinator, with a reason."""
    guards = _GUARDS.setdefault(stage, [])
    if all(existing is not guard for existing, _flag in guards):
        guards.append((guard, overridable))
    return guard


def guard_report(case: Case, to: str, reason: str) -> list[GuardFailure]:
    """Every reason why `case` may not enter `to` now (empty when it may), with codes."""
    failures: list[GuardFailure] = []
    if to in REASON_REQUIRED and not reason.strip():
        failures.append(GuardFailure(_("Give the reason for this decision."), "reason"))
    for guard, overridable in _GUARDS.get(to, []):
        answer = guard(case, reason)
        if answer is None:
            continue
        if isinstance(answer, list):
            failures += [GuardFailure(message, code, overridable) for code, message in answer]
        else:
            failures.append(GuardFailure(answer, guard.__name__.strip("_"), overridable))
    return failures


def guard_failures(case: Case, to: str, reason: str) -> list[str | Promise]:
    """Every reason why `case` may not enter `to` now (empty when it may)."""
    return [failure.message for failure in guard_report(case, to, reason)]


def _needs_actual_arrival(case: Case, reason: str) -> str | Promise | None:
    if case.actual_arrival is None:
        return _("Record the actual arrival date before the residency can start.")
    return None


def _needs_actual_departure(case: Case, reason: str) -> str | Promise | None:
    if case.actual_departure is None:
        return _("Record the actual departure date first.")
    return None


register_guard(Stage.IN_RESIDENCE, _needs_actual_arrival)
register_guard(Stage.DEPARTED, _needs_actual_departure)


# --- checklists ----------------------------------------------------------------------------
TASK_TITLES: dict[str, Promise] = {
    "risk_assessment": _("Risk assessment done"),
    "references": _("References checked"),
    "decision_letter": _("Decision letter sent"),
    "visa_submitted": _("Visa application submitted"),
    "travel_booked": _("Travel booked"),
    "insurance": _("Insurance arranged"),
    "housing_booked": _("Housing booked"),
    "allowance": _("Allowance arranged"),
    "welcome_meeting": _("Welcome meeting held"),
    "security_briefing": _("Security briefing given"),
    "programme_plan": _("Programme plan agreed"),
    "midterm_review": _("Mid-term review"),
    "return_plan": _("Return plan agreed"),
    "departure_debrief": _("Departure debrief"),
    "follow_up_1m": _("Follow-up contact after one month"),
    "follow_up_3m": _("Follow-up contact after three months"),
    "archive_check": _("Retention and archive check"),
}


@dataclass(frozen=True)
class TaskTemplate:
    key: str
    days: int  # due this many days after `anchor`
    anchor: str = "entered"  # "entered" (the day the stage began) or "arrival" (planned)


CHECKLISTS: dict[str, tuple[TaskTemplate, ...]] = {
    Stage.UNDER_REVIEW: (TaskTemplate("risk_assessment", 14), TaskTemplate("references", 14)),
    Stage.ACCEPTED: (TaskTemplate("decision_letter", 7),),
    Stage.PREPARING_ARRIVAL: (
        TaskTemplate("visa_submitted", -42, "arrival"),
        TaskTemplate("travel_booked", -21, "arrival"),
        TaskTemplate("insurance", -14, "arrival"), TaskTemplate("housing_booked", -14, "arrival"),
        TaskTemplate("allowance", -7, "arrival"),
    ),
    Stage.IN_RESIDENCE: (
        TaskTemplate("welcome_meeting", 2), TaskTemplate("security_briefing", 3),
        TaskTemplate("programme_plan", 7), TaskTemplate("midterm_review", 45),
        TaskTemplate("return_plan", 60),
    ),
    Stage.DEPARTED: (TaskTemplate("departure_debrief", 7),),
    Stage.FOLLOW_UP: (TaskTemplate("follow_up_1m", 30), TaskTemplate("follow_up_3m", 90)),
    Stage.CLOSED: (TaskTemplate("archive_check", 30),),
}


def task_title(key: str) -> str:
    """The translated title of a checklist task key (the key itself if unknown)."""
    return str(TASK_TITLES.get(key, key))


def checklist_for(case: Case, stage: str,
                  entered: datetime.date) -> list[tuple[str, datetime.date]]:
    """(task key, due date) pairs for a case entering `stage` on `entered`.

    Tasks anchored on the planned arrival fall back to two weeks from today when no arrival is
    planned yet; a due date is never before the day the stage began.
    """
    items = []
    for template in CHECKLISTS.get(stage, ()):
        if template.anchor == "arrival" and case.planned_arrival:
            due = case.planned_arrival + datetime.timedelta(days=template.days)
        elif template.anchor == "arrival":
            due = entered + datetime.timedelta(days=14)
        else:
            due = entered + datetime.timedelta(days=template.days)
        items.append((template.key, max(due, entered)))
    return items
