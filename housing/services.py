"""Writes to housing: each function is one business event, and the only place housing changes.

Keyword-only arguments, `acting_user`, one transaction, the audit record inside it. Bookings
first, then units, their availability and their blocked periods: a change that would leave a
booking outside its unit's offer, inside a block or overlapping another booking (a longer
turnover buffer) is refused with `BookingConflict`. Services assume the caller checked
permission with `housing.policies` (views do, before calling).

No double booking, ever: every write that can affect a unit's schedule first locks the unit's
row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite ``BEGIN IMMEDIATE`` already serialises
writers), then checks inside the same transaction. The database refuses an overlapping row
even from a writer that bypasses this module: on PostgreSQL the exclusion constraint
``housing_booking_no_overlap``, on SQLite the triggers of that name (migration 0003). That
refusal also surfaces as `BookingConflict`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases.models import Case
from housing import rules
from housing.constraints import NO_OVERLAP
from housing.models import Availability, Block, Booking, Unit
from shelter import audit
from shelter.accounts.models import User
from shelter.audit import Action
from shelter.forms import editable_field_names

UNIT_FIELDS = frozenset(editable_field_names(Unit))  # what `unit_create`/`unit_update` set
ACTIVE = Booking.ACTIVE


class HousingError(Exception):
    """A housing change that cannot be made; `message` is translated, for users."""

    def __init__(self, message: Any) -> None:
        self.message = str(message)
        super().__init__(self.message)


class BookingConflict(HousingError):
    """The dates clash: `kind` is "booking" (another active booking or its turnover buffer),
    "unavailable" (not offered), "blocked", "inactive" or "dates"; `start`/`end` are the
    clashing period's days. Never names the other booking's case."""

    def __init__(self, kind: str, start: datetime.date | None, end: datetime.date | None,
                 message: Any) -> None:
        self.kind, self.start, self.end = kind, start, end
        super().__init__(message)


def _day(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


def _booking_clash(clash: Booking) -> BookingConflict:
    if clash.blocked_until > clash.end:
        message = _("The unit is already booked from %(start)s to %(end)s and kept free for "
                    "turnover until %(free)s.")
    else:
        message = _("The unit is already booked from %(start)s to %(end)s.")
    return BookingConflict("booking", clash.start, clash.blocked_until, message % {
        "start": _day(clash.start), "end": _day(clash.end), "free": _day(clash.blocked_until)})


def _lock_unit(unit_id: Any) -> Unit:
    """The unit's row, locked until the transaction ends: one schedule writer per unit."""
    return (Unit.objects.select_for_update()
            .only("id", "code_name", "turnover_buffer_days", "is_active").get(pk=unit_id))


def _check_nights(unit: Unit, start: datetime.date, end: datetime.date) -> None:
    """Every night of [start, end) is offered and none is blocked."""
    if end <= start:
        raise BookingConflict("dates", start, end, _("The departure must be after the arrival."))
    if not unit.is_active:
        raise BookingConflict("inactive", start, end, _("This unit is not in use."))
    periods = Availability.objects.filter(unit_id=unit.pk, start__lt=end, end__gt=start)
    gap = rules.first_uncovered_day(start, end, periods.values_list("start", "end"))
    if gap is not None:
        raise BookingConflict("unavailable", gap, gap + rules.ONE_DAY, _(
            "The unit is not offered to the programme on %(day)s.") % {"day": _day(gap)})
    block = (Block.objects.filter(unit_id=unit.pk, start__lt=end, end__gt=start)
             .order_by("start").first())
    if block is not None:
        raise BookingConflict("blocked", block.start, block.end, _(
            "The unit is blocked (%(reason)s) from %(start)s until %(end)s.") % {
            "reason": block.get_reason_display(), "start": _day(block.start),
            "end": _day(block.end)})


def _check_free(unit: Unit, start: datetime.date, end: datetime.date,
                exclude: Any = None) -> datetime.date:
    """Check [start, end) for `unit`; return the booking's `blocked_until` (end + buffer)."""
    _check_nights(unit, start, end)
    until = rules.blocked_until(end, unit.turnover_buffer_days)
    clash = (Booking.objects.filter(unit_id=unit.pk, status__in=ACTIVE, start__lt=until,
                                    blocked_until__gt=start)
             .exclude(pk=exclude).order_by("start").first())
    if clash is not None:
        raise _booking_clash(clash)
    return until


def _save(booking: Booking, fields: list[str] | None = None) -> None:
    """Save; the database's own no-overlap refusal becomes a BookingConflict."""
    try:
        with transaction.atomic():
            booking.save(update_fields=fields)
    except IntegrityError as error:
        if NO_OVERLAP not in str(error):
            raise
        raise BookingConflict("booking", booking.start, booking.blocked_until, _(
            "The unit was booked for these dates by someone else a moment ago.")) from error


# --- bookings ------------------------------------------------------------------------------
@transaction.atomic
def booking_create(*, unit: Unit, case: Case, start: datetime.date, end: datetime.date,
                   acting_user: User | None, status: str = Booking.Status.TENTATIVE,
                   reason: str = Booking.Reason.RESIDENCY, note: str | None = None) -> Booking:
    """Book `unit` for `case`, nights start … end - 1. Raises BookingConflict on any clash."""
    if status not in ACTIVE:
        raise HousingError(_("A new booking is tentative or confirmed."))
    locked = _lock_unit(unit.pk)
    until = _check_free(locked, start, end)
    booking = Booking(unit_id=locked.pk, case=case, start=start, end=end, blocked_until=until,
                      status=status, reason=reason, note=note or None, booked_by=acting_user,
                      confirmed_at=timezone.now() if status == Booking.Status.CONFIRMED else None)
    _save(booking)
    audit.record(acting_user, Action.BOOKING_CREATE, booking, case_id=case.pk, unit_id=unit.pk,
                 status=status, nights=booking.nights)
    return booking


def _lock_booking(booking: Booking) -> tuple[Booking, Unit]:
    unit = _lock_unit(booking.unit_id)
    current = Booking.objects.select_for_update().get(pk=booking.pk)
    if not current.is_active:
        raise HousingError(_("A cancelled booking cannot be changed."))
    return current, unit


def _reschedule(booking: Booking, start: datetime.date, end: datetime.date,
                acting_user: User | None, change: str) -> Booking:
    current, unit = _lock_booking(booking)
    until = _check_free(unit, start, end, exclude=current.pk)
    before = current.nights
    current.start, current.end, current.blocked_until = start, end, until
    _save(current, ["start", "end", "blocked_until", "updated_at"])
    booking.start, booking.end, booking.blocked_until = start, end, until
    audit.record(acting_user, Action.BOOKING_CHANGE, current, case_id=current.case_id,
                 unit_id=current.unit_id, change=change, nights_before=before,
                 nights=current.nights)
    return current


@transaction.atomic
def booking_move(*, booking: Booking, start: datetime.date, end: datetime.date,
                 acting_user: User | None) -> Booking:
    """Change the arrival and departure of an active booking (same unit), checked like a new
    booking except against itself. Raises BookingConflict; nothing changes then."""
    return _reschedule(booking, start, end, acting_user, "move")


@transaction.atomic
def booking_extend(*, booking: Booking, end: datetime.date, acting_user: User | None) -> Booking:
    """Move the departure of an active booking (later, or earlier to shorten it)."""
    return _reschedule(booking, booking.start, end, acting_user, "extend")


@transaction.atomic
def booking_confirm(*, booking: Booking, acting_user: User | None) -> Booking:
    """Turn a tentative booking into a confirmed one (its dates were checked when set)."""
    current, _unit = _lock_booking(booking)
    current.status, current.confirmed_at = Booking.Status.CONFIRMED, timezone.now()
    current.save(update_fields=["status", "confirmed_at", "updated_at"])
    booking.status, booking.confirmed_at = current.status, current.confirmed_at
    audit.record(acting_user, Action.BOOKING_CHANGE, current, case_id=current.case_id,
                 unit_id=current.unit_id, change="confirm")
    return current


@transaction.atomic
def booking_cancel(*, booking: Booking, acting_user: User | None) -> Booking:
    """Cancel an active booking; its dates become free at once."""
    current, _unit = _lock_booking(booking)
    current.status, current.cancelled_at = Booking.Status.CANCELLED, timezone.now()
    current.save(update_fields=["status", "cancelled_at", "updated_at"])
    booking.status, booking.cancelled_at = current.status, current.cancelled_at
    audit.record(acting_user, Action.BOOKING_CANCEL, current, case_id=current.case_id,
                 unit_id=current.unit_id)
    return current


# --- units, their availability and their blocked periods -----------------------------------
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
