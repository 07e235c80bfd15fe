"""Who sees what of a case's logistics: pure, no queries (the case comes from the guard with
the facts `cases.policies` needs).

The section "logistics" opens the page (staff; a partner whose share names it). An accompanying
person's identifying fields (name, date of birth, nationality, passport number) follow the
case's "identity" section; without it a partner reads "Accompanying person 1 (child)" and the
documents' dates. The earlier free text of the residency is shown to staff only. Changing:
whoever may change the case (staff, not a tombstone)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cases import policies

if TYPE_CHECKING:
    from cases.models import Case
    from shelter.accounts.models import User


def can_view_logistics(user: User | None, case: Case) -> bool:
    return policies.can_view_section(user, case, "logistics")


def can_view_companion_identity(user: User | None, case: Case) -> bool:
    return can_view_logistics(user, case) and policies.can_view_section(user, case, "identity")


def can_view_legacy_notes(user: User | None, case: Case) -> bool:
    return can_view_logistics(user, case) and policies.can_list_cases(user)


def can_change_logistics(user: User | None, case: Case) -> bool:
    return can_view_logistics(user, case) and policies.can_change_case(user, case)
