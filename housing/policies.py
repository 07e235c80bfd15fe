"""Who may see and do what with housing: the one place that decides, deny by default.

Coordinators and case officers manage housing (units, availability, bookings, the schedule).
Partners see a case's housing only where a share of that case includes it — the unit's code
name and the dates with "housing", the address only with "housing_address" too; that decision
belongs to `cases.policies.can_view_section`, which the sharing work extends. Auditors never
see housing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cases import policies as case_policies
from cases.choices import Stage

if TYPE_CHECKING:
    from cases.models import Case
    from housing.models import Booking
    from shelter.accounts.models import User

# A case can be given (or keep getting) housing until it departs.
BOOKABLE_STAGES = frozenset({Stage.NOMINATED, Stage.UNDER_REVIEW, Stage.ACCEPTED,
                             Stage.PREPARING_ARRIVAL, Stage.IN_RESIDENCE})


def _is_staff(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated
                and (user.is_coordinator or user.is_case_officer))


def can_manage_housing(user: User | None) -> bool:
    """Units, availability, blocks, the schedule, occupancy and exports: municipal staff."""
    return _is_staff(user)


def can_view_case_housing(user: User | None, case: Case, with_address: bool = False) -> bool:
    """May `user` see the bookings of `case` (unit code name, dates), and with `with_address`
    also the units' addresses?

    Staff: whenever they may see the case. Everyone else: exactly what
    `cases.policies.can_view_section` answers for "housing" (and "housing_address"), so shares
    are decided in one place. Auditors: never.
    """
    if user is None or not user.is_authenticated or user.is_auditor:
        return False
    if _is_staff(user):
        return case_policies.can_view_case(user, case)
    if not case_policies.can_view_section(user, case, "housing"):
        return False
    return not with_address or case_policies.can_view_section(user, case, "housing_address")


def can_book_for_case(user: User | None, case: Case) -> bool:
    """Book a unit for `case`: staff, on a case that may change and has not yet departed."""
    return (can_manage_housing(user) and case_policies.can_change_case(user, case)
            and case.stage in BOOKABLE_STAGES)


def can_change_booking(user: User | None, booking: Booking) -> bool:
    """Move, extend, confirm or cancel `booking`: staff, while the booking is active."""
    return (can_manage_housing(user) and booking.is_active
            and case_policies.can_view_case(user, booking.case))
