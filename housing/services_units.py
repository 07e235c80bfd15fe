"""Writes to units, their availability and their blocked periods (see `housing.services`).

Changes that could leave a booking outside its unit's offer, inside a block or overlapping
another booking (a longer turnover buffer) are refused with `BookingConflict`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from housing import rules
from housing.models import Availability, Block, Booking, Unit
from housing.services import (
    ACTIVE,
    UNIT_FIELDS,
    BookingConflict,
    HousingError,
    _booking_clash,
    _day,
    _lock_unit,
)
from shelter import audit
from shelter.accounts.models import User
from shelter.audit import Action


def _assign(unit: Unit, values: dict[str, Any]) -> list[str]:
    unknown = set(values) - UNIT_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for name, value in values.items():
        setattr(unit, name, value)
    return sorted(values)


@transaction.atomic
def unit_create(*, acting_user: User | None, **values: Any) -> Unit:
    """Register a unit; address, host contact and notes are sealed with the programme key."""
    unit = Unit()
    _assign(unit, values)
    unit.save()
    audit.record(acting_user, Action.UNIT_CREATE, unit)
    return unit


def _apply_buffer(unit: Unit, buffer_days: int) -> int:
    """Recompute `blocked_until` of current and future active bookings; refuse clashes."""
    today = timezone.localdate()
    bookings = list(Booking.objects.filter(unit_id=unit.pk, status__in=ACTIVE,
                                           blocked_until__gte=today).order_by("start"))
    for booking in bookings:
        booking.blocked_until = rules.blocked_until(booking.end, buffer_days)
    for earlier, later in zip(bookings, bookings[1:], strict=False):
        if later.start < earlier.blocked_until:
            raise _booking_clash(later)
    for booking in bookings:  # plain columns: no sealed value is touched
        Booking.objects.filter(pk=booking.pk).update(blocked_until=booking.blocked_until)
    return len(bookings)


@transaction.atomic
def unit_update(*, unit: Unit, acting_user: User | None, **values: Any) -> Unit:
    """Change a unit. A new turnover buffer applies to its current and future bookings; a unit
    with current or upcoming bookings cannot be taken out of use (HousingError)."""
    locked = _lock_unit(unit.pk)
    if values.get("is_active") is False and locked.is_active and Booking.objects.filter(
            unit_id=unit.pk, status__in=ACTIVE, end__gt=timezone.localdate()).exists():
        raise HousingError(_("This unit has current or upcoming bookings: move or cancel them "
                             "before taking it out of use."))
    fields = _assign(unit, values)
    facts: dict[str, Any] = {"fields": fields}
    if "turnover_buffer_days" in values and values["turnover_buffer_days"] != \
            locked.turnover_buffer_days:
        facts["bookings_rebuffered"] = _apply_buffer(unit, values["turnover_buffer_days"])
    unit.save(update_fields=[*fields, "updated_at"])
    audit.record(acting_user, Action.UNIT_CHANGE, unit, **facts)
    return unit


@transaction.atomic
def availability_add(*, unit: Unit, start: datetime.date, end: datetime.date,
                     acting_user: User | None) -> Availability:
    """Offer `unit` to the programme for [start, end) (periods may overlap or touch)."""
    if end <= start:
        raise BookingConflict("dates", start, end, _("The end must be after the start."))
    _lock_unit(unit.pk)
    period = Availability(unit_id=unit.pk, start=start, end=end, created_by=acting_user)
    period.save()
    audit.record(acting_user, Action.UNIT_CHANGE, unit, change="availability_add",
                 period_id=period.pk)
    return period


@transaction.atomic
def availability_remove(*, period: Availability, acting_user: User | None) -> None:
    """Withdraw an offer period, unless an active booking would lose nights it covered."""
    _lock_unit(period.unit_id)
    period_id, unit_id = period.pk, period.unit_id
    Availability.objects.filter(pk=period_id).delete()
    remaining = list(Availability.objects.filter(unit_id=unit_id).values_list("start", "end"))
    for booking in Booking.objects.filter(unit_id=unit_id, status__in=ACTIVE,
                                          start__lt=period.end, end__gt=period.start):
        if rules.first_uncovered_day(booking.start, booking.end, remaining) is not None:
            raise BookingConflict("booking", booking.start, booking.end, _(
                "A booking from %(start)s to %(end)s needs this period.") % {
                "start": _day(booking.start), "end": _day(booking.end)})
    audit.record(acting_user, Action.UNIT_CHANGE, ("housing.unit", unit_id),
                 change="availability_remove", period_id=period_id)


@transaction.atomic
def block_add(*, unit: Unit, start: datetime.date, end: datetime.date, reason: str,
              acting_user: User | None) -> Block:
    """Block [start, end) (maintenance, host away …), unless a booked night falls in it."""
    if end <= start:
        raise BookingConflict("dates", start, end, _("The end must be after the start."))
    _lock_unit(unit.pk)
    clash = (Booking.objects.filter(unit_id=unit.pk, status__in=ACTIVE, start__lt=end,
                                    end__gt=start).order_by("start").first())
    if clash is not None:
        raise BookingConflict("booking", clash.start, clash.end, _(
            "The unit is booked from %(start)s to %(end)s.") % {
            "start": _day(clash.start), "end": _day(clash.end)})
    block = Block(unit_id=unit.pk, start=start, end=end, reason=reason, created_by=acting_user)
    block.save()
    audit.record(acting_user, Action.UNIT_CHANGE, unit, change="block_add", block_id=block.pk,
                 reason=reason)
    return block


@transaction.atomic
def block_remove(*, block: Block, acting_user: User | None) -> None:
    """Lift a blocked period."""
    _lock_unit(block.unit_id)
    block_id, unit_id = block.pk, block.unit_id
    Block.objects.filter(pk=block_id).delete()
    audit.record(acting_user, Action.UNIT_CHANGE, ("housing.unit", unit_id),
                 change="block_remove", block_id=block_id)
