"""Tentative bookings still not confirmed 14 days before arrival (reads only; the daily job
`housing.jobs.raise_booking_reminders` notifies). Ids only: no unit address is read.

Who hears of one: the case's assigned officer, who arranges the stay; a case without an
(active) assigned officer falls to every active coordinator, so a booking is never forgotten."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from cases.models import Case
from housing.models import Booking
from housing.policies import can_view_case_housing
from shelter.accounts.models import User
from shelter.accounts.roles import Role

FORTNIGHT = datetime.timedelta(days=14)


def coordinators() -> list[User]:
    return list(User.objects.filter(is_active=True, groups__name=Role.COORDINATOR)
                .distinct().order_by("pk"))


def bookings_unconfirmed(today: datetime.date) -> Iterator[tuple[Booking, list[User]]]:
    """Tentative bookings arriving within 14 days (not yet arrived), with their recipients."""
    bookings = (Booking.objects.filter(status=Booking.Status.TENTATIVE,
                                       start__range=(today, today + FORTNIGHT),
                                       case__shredded_at__isnull=True)
                .select_related("case__assigned_officer").order_by("start", "pk"))
    fallback: list[User] | None = None
    for booking in bookings:
        case: Case = booking.case
        officer = case.assigned_officer
        if officer is not None and officer.is_active and can_view_case_housing(officer, case):
            yield booking, [officer]
            continue
        if fallback is None:
            fallback = coordinators()
        yield booking, fallback
