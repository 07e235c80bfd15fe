"""Who may see and do what with the budget: the one place that decides, deny by default.

Pure functions of (user, case): no queries beyond what `cases.policies` reads from the case as
the selectors hand it over.

- A case's budget lines follow the case rules for the section "budget"
  (`cases.policies.can_view_section`): coordinators and case officers, and partners whose
  active share names "budget". Partners see the lines (category, funder, planned amount,
  description), never payments, and never what was actually paid.
- Payments, and the actual amounts drawn from them: coordinators and the officer assigned to
  the case only; not other officers, never partners, never auditors.
- Changing lines and payments and generating the allowance: coordinators and the assigned
  officer, on a case that can change (not a tombstone). Partners never write the budget.
- The overview, funders, yearly budgets and the funder export: coordinators only. The overview
  adds up the payments of every case, which an officer may not see case by case.
- Auditors see none of it: they review the access log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cases import policies as case_policies

if TYPE_CHECKING:
    from cases.models import Case
    from shelter.accounts.models import User


def _coordinator(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active
                and user.is_coordinator)


def _coordinator_or_assigned(user: User | None, case: Case) -> bool:
    return _coordinator(user) or bool(
        user is not None and user.is_authenticated and user.is_case_officer
        and case.assigned_officer_id == user.pk)


def can_view_budget(user: User | None, case: Case) -> bool:
    """The case's Budget tab and its lines: whoever may see the case's "budget" section."""
    return case_policies.can_view_section(user, case, "budget")


def can_view_payments(user: User | None, case: Case) -> bool:
    """The case's payments and actual amounts: coordinators and the assigned officer."""
    return can_view_budget(user, case) and _coordinator_or_assigned(user, case)


def can_view_line_descriptions(user: User | None, case: Case) -> bool:
    """A line's description may name a person (a flight, a supplier): staff only. A partner
    with a "budget" share sees category, funder, date and planned amount."""
    return can_view_budget(user, case) and bool(
        user.is_authenticated and (user.is_coordinator or user.is_case_officer))


def can_change_budget(user: User | None, case: Case) -> bool:
    """Add, change and remove lines, record, change and cancel payments, generate the
    allowance: coordinators and the assigned officer, on a case that may change."""
    return (can_view_payments(user, case) and case_policies.can_change_case(user, case))


def can_view_overview(user: User | None) -> bool:
    """The budget overview across cases, its chart and the funder export: coordinators."""
    return _coordinator(user)


def can_manage_funders(user: User | None) -> bool:
    """Funders and their yearly budgets: coordinators."""
    return _coordinator(user)
