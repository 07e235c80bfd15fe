"""Reads of housing. The reader is always passed in; staff-only reads return nothing to others.

Views still record each read in the access log (`housing.access`); these functions only read.
"""

from __future__ import annotations

import datetime
import operator
import uuid
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce

from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from housing import policies, rules
from housing.models import Availability, Block, Booking, Unit
from shelter.accounts.models import User

SEALED = ("address", "host_contact", "notes")
MAX_BUFFER_DAYS = 60  # the unit form's limit on turnover buffers


def units_visible_to(user: User) -> QuerySet[Unit]:
    """All units (active first) for staff, without their sealed fields; nothing for others."""
    if not policies.can_manage_housing(user):
        return Unit.objects.none()
    return Unit.objects.defer(*SEALED).order_by("-is_active", "code_name")


def unit_get_for(user: User, unit_id: uuid.UUID | str) -> Unit | None:
    """One unit (sealed fields decrypt on access) if the user manages housing."""
    if not policies.can_manage_housing(user):
        return None
    return Unit.objects.filter(pk=unit_id).first()


def unit_periods(unit: Unit) -> dict[str, list]:
    """The unit's offer periods, blocks and active bookings ending today or later."""
    today = timezone.localdate()
    return {
        "availability": list(unit.availability.order_by("start")),
        "blocks": list(unit.blocks.filter(end__gt=today).order_by("start")),
        "bookings": list(unit.bookings.filter(status__in=Booking.ACTIVE, blocked_until__gte=today)
                         .select_related("case__defender").order_by("start")),
    }


def period_get_for(user: User, model: type[Availability] | type[Block], unit_id: uuid.UUID,
                   item_id: uuid.UUID) -> Availability | Block | None:
    """An offer period or a block of a unit, for staff."""
    if not policies.can_manage_housing(user):
        return None
    return model.objects.filter(pk=item_id, unit_id=unit_id).first()


def case_bookings(user: User, case: Case) -> list[Booking]:
    """The case's bookings (cancelled ones too, last), if the user may see its housing."""
    if not policies.can_view_case_housing(user, case):
        return []
    bookings = case.bookings.select_related("unit", "booked_by").defer(
        *(f"unit__{name}" for name in SEALED))
    return sorted(bookings, key=lambda b: (not b.is_active, b.start))


def case_booking_addresses(user: User, case: Case, bookings: list[Booking]) -> dict:
    """{unit id: address} for the case's units, only with the "housing_address" right."""
    if not policies.can_view_case_housing(user, case, with_address=True):
        return {}
    units = Unit.objects.filter(pk__in={b.unit_id for b in bookings}).only("id", "address")
    return {unit.pk: unit.address for unit in units}


def booking_get_for(user: User, booking_id: uuid.UUID | str) -> Booking | None:
    """One booking for staff (with its unit and case), else None."""
    if not policies.can_manage_housing(user):
        return None
    return (Booking.objects.select_related("unit", "case__defender")
            .defer(*(f"unit__{name}" for name in SEALED)).filter(pk=booking_id).first())


def case_has_confirmed_booking(case: Case) -> bool:
    """Does `case` hold a confirmed booking that has not ended (departure after today)?

    The lifecycle guard of "In residence" asks this (a system check, no reader).
    """
    return Booking.objects.filter(case_id=case.pk, status=Booking.Status.CONFIRMED,
                                  end__gt=timezone.localdate()).exists()


def housing_in_use() -> bool:
    """Does the programme manage housing here at all (is any unit registered)?"""
    return Unit.objects.exists()


def residency_needs_housing(case: Case, reason: str) -> str | Promise | None:
    """Lifecycle guard of "In residence" (registered in `HousingConfig.ready`): a confirmed
    booking that has not ended, else the refusal.

    Applies once the programme manages housing here (any unit registered); a municipality
    that houses defenders outside Shelter is not blocked by an empty housing module.
    """
    if not housing_in_use() or case_has_confirmed_booking(case):
        return None
    return _("Book and confirm housing before the residency starts.")


# --- schedule data (constant number of queries) --------------------------------------------
@dataclass
class ScheduleData:
    """Everything the timeline, occupancy, turnovers and export need for one window."""

    start: datetime.date
    end: datetime.date
    units: list[Unit]
    availability: dict[uuid.UUID, list[tuple[datetime.date, datetime.date]]] = field(
        default_factory=dict)
    blocks: dict[uuid.UUID, list[tuple[datetime.date, datetime.date, str]]] = field(
        default_factory=dict)
    bookings: dict[uuid.UUID, list[dict]] = field(default_factory=dict)


# What the schedule's readers use of a unit (grid, turnovers, occupancy, suggestions): the
# rest (amenities, timestamps, the sealed fields) would be converted for every unit unread.
SCHEDULE_UNIT_FIELDS = ("id", "code_name", "kind", "capacity", "accessibility",
                        "turnover_buffer_days", "is_active")


def schedule_data(user: User, start: datetime.date, end: datetime.date,
                  include_inactive: bool = False, booking_ids: bool = False,
                  periods: bool = True) -> ScheduleData:
    """Units with their periods and active bookings touching [start, end): four queries."""
    return schedule_windows(user, [(start, end)], include_inactive, booking_ids, periods)


def schedule_windows(user: User, windows: list[tuple[datetime.date, datetime.date]],
                     include_inactive: bool = False, booking_ids: bool = False,
                     periods: bool = True) -> ScheduleData:
    """Units with their periods and active bookings touching any of `windows`, in the same
    four queries as one window. A page showing several windows (the timeline and its
    turnovers) reads once and takes each with `schedule_slice`; the result spans them all.

    A booking is a dict of its unit_id, case_id, start, end, blocked_until, status and the
    case's code_name, and its `id` with `booking_ids` (the export names events by it).
    `periods=False` leaves out the availability and the blocks (two queries): for a reader of
    the bookings only, such as the dashboard's turnovers."""
    units = list(units_visible_to(user).filter(**({} if include_inactive else
                                                  {"is_active": True}))
                 .only(*SCHEDULE_UNIT_FIELDS).order_by("code_name"))
    data = ScheduleData(min(s for s, _e in windows), max(e for _s, e in windows), units)
    if not units:
        return data
    in_scope = {"unit__is_active": True} if not include_inactive else {}
    if periods:
        # By start only: each unit's periods in the order of the models' ordering (unit,
        # start), without ordering by the joined unit's code name (a sort and its compiling).
        overlapping = _touching(windows, "end")
        for unit_id, a_start, a_end in (Availability.objects.filter(overlapping, **in_scope)
                                        .order_by("start")
                                        .values_list("unit_id", "start", "end")):
            data.availability.setdefault(unit_id, []).append((a_start, a_end))
        for unit_id, b_start, b_end, reason in (
                Block.objects.filter(overlapping, **in_scope).order_by("start")
                .values_list("unit_id", "start", "end", "reason")):
            data.blocks.setdefault(unit_id, []).append((b_start, b_end, reason))
    data.bookings = _bookings(windows, units, in_scope, booking_ids)
    return data


def _bookings(windows: list[tuple[datetime.date, datetime.date]], units: list[Unit],
              in_scope: dict, booking_ids: bool) -> dict[uuid.UUID, list[dict]]:
    """{unit id: its active bookings touching `windows`, by arrival}. Rows come as tuples
    and name their unit by its code name (unique, and joined anyway): a page's bookings
    are hundreds of rows, and a UUID made per row (and a dict by `values()`) cost more than
    the query. For the same reason the case comes as text and each case's UUID is made once
    (a case has several stays in a window), and on SQLite, which keeps a date as ISO text,
    so do the dates, each day parsed once. The rows hold `uuid.UUID`s and dates as ever.
    (PostgreSQL's driver makes the dates itself, and its text for a date follows DateStyle.)
    """
    unit_ids = {unit.code_name: unit.pk for unit in units}
    as_text = {"case_text": Cast("case_id", TextField())}
    dates = ("start", "end", "blocked_until")
    days_as_text = connection.vendor == "sqlite"
    if days_as_text:
        as_text |= {f"{name}_text": Cast(name, TextField()) for name in dates}
        dates = tuple(f"{name}_text" for name in dates)
    rows = (_stays_touching(windows).filter(status__in=Booking.ACTIVE, **in_scope)
            .annotate(**as_text).order_by("start")
            .values_list("unit__code_name", "case_text", *dates, "status",
                         "case__defender__code_name", *(("id",) if booking_ids else ())))
    case_ids: dict[str, uuid.UUID] = {}
    days: dict[str, datetime.date] = {}

    def day(text: str) -> datetime.date:
        found = days.get(text)
        if found is None:
            found = days[text] = datetime.date.fromisoformat(text)
        return found

    bookings: dict[uuid.UUID, list[dict]] = {}
    for unit_code, case_text, start, end, blocked_until, status, code_name, *booking_id in rows:
        unit_id = unit_ids.get(unit_code)
        if unit_id is None:  # a unit registered or renamed since the units were read
            continue
        case_id = case_ids.get(case_text)
        if case_id is None:
            case_id = case_ids[case_text] = uuid.UUID(case_text)
        if days_as_text:
            start, end, blocked_until = day(start), day(end), day(blocked_until)
        row = {"unit_id": unit_id, "case_id": case_id, "start": start, "end": end,
               "blocked_until": blocked_until, "status": status, "code_name": code_name}
        if booking_id:
            row["id"] = booking_id[0]
        bookings.setdefault(unit_id, []).append(row)
    return bookings


def _stays_touching(windows: list[tuple[datetime.date, datetime.date]]) -> QuerySet[Booking]:
    """Bookings whose [start, blocked_until) overlaps a window. On PostgreSQL as a range
    overlap, which the GiST index of the no-overlap constraint (migration 0002, over
    ``daterange(start, blocked_until)`` for active bookings) answers: a b-tree can bound only
    one end of a stay, so it scans every later booking of each unit. SQLite has that b-tree
    (`housing_booking_unit_span`) and compares the dates."""
    if connection.vendor != "postgresql":
        return Booking.objects.filter(_touching(windows, "blocked_until"))
    from housing.constraints import DateRange  # django.contrib.postgres: PostgreSQL only

    return Booking.objects.alias(stay=DateRange("start", "blocked_until")).filter(
        reduce(operator.or_, (Q(stay__overlap=(start, end))
                              for start, end in _merged(windows))))


def _merged(windows: list[tuple[datetime.date, datetime.date]]) -> list[list[datetime.date]]:
    """The windows in order, overlapping ones merged."""
    merged: list[list[datetime.date]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def _touching(windows: list[tuple[datetime.date, datetime.date]], end_field: str) -> Q:
    """Rows whose [start, `end_field`) overlaps a window; overlapping windows merge first."""
    return reduce(operator.or_, (Q(start__lt=end, **{f"{end_field}__gt": start})
                                 for start, end in _merged(windows)))


def schedule_slice(data: ScheduleData, start: datetime.date, end: datetime.date
                   ) -> ScheduleData:
    """The part of `data` touching [start, end): what `schedule_data` reads for that window,
    without a query. [start, end) must lie within one of the windows `data` was read for."""
    # Comparisons written out, not a predicate called per row: a page slices hundreds.
    def periods(by_unit: dict[uuid.UUID, list[tuple]]) -> dict[uuid.UUID, list[tuple]]:
        kept = {unit_id: [p for p in rows if p[0] < end and p[1] > start]
                for unit_id, rows in by_unit.items()}
        return {unit_id: rows for unit_id, rows in kept.items() if rows}

    bookings = {unit_id: [r for r in rows if r["start"] < end and r["blocked_until"] > start]
                for unit_id, rows in data.bookings.items()}
    return ScheduleData(start, end, data.units, periods(data.availability),
                        periods(data.blocks),
                        {unit_id: rows for unit_id, rows in bookings.items() if rows})


def occupancy(data: ScheduleData) -> tuple[list[dict], dict]:
    """Per unit and overall: nights offered (minus blocks), booked, confirmed, and the rate."""
    rows = []
    for unit in data.units:
        offered_days = set()
        for a_start, a_end in data.availability.get(unit.pk, []):
            offered_days.update(rules.days(max(a_start, data.start), min(a_end, data.end)))
        for b_start, b_end, _reason in data.blocks.get(unit.pk, []):
            offered_days.difference_update(rules.days(b_start, b_end))
        booked = confirmed = 0
        for row in data.bookings.get(unit.pk, []):
            nights = rules.nights_in(row["start"], row["end"], data.start, data.end)
            booked += nights
            confirmed += nights if row["status"] == Booking.Status.CONFIRMED else 0
        rows.append(_rate({"unit": unit, "offered": len(offered_days), "booked": booked,
                           "confirmed": confirmed}))
    total = _rate({key: sum(r[key] for r in rows) for key in ("offered", "booked", "confirmed")})
    return rows, total


def occupancy_percent(booked: int, offered: int) -> Decimal | None:
    """Booked nights as a percentage of the nights offered, one decimal, rounded half up."""
    if not offered:
        return None
    return (Decimal(100 * booked) / Decimal(offered)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def occupancy_by_month(user: User, year: int) -> list[dict]:
    """Per month of `year`, all units together: nights offered (minus blocks), nights booked
    and `percent` (None when nothing was offered). Reads the year once: four queries."""
    data = schedule_data(user, datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1))
    months = []
    for month in range(1, 13):
        start = datetime.date(year, month, 1)
        end = (start + datetime.timedelta(days=31)).replace(day=1)
        _rows, total = occupancy(replace(data, start=start, end=end))
        months.append({"month": start, "offered": total["offered"], "booked": total["booked"],
                       "percent": occupancy_percent(total["booked"], total["offered"])})
    return months


def _rate(row: dict) -> dict:
    row["rate"] = round(100 * row["booked"] / row["offered"]) if row["offered"] else None
    return row


def upcoming_turnovers(data: ScheduleData) -> list[dict]:
    """Departures in the window, with the turnover buffer and the unit's next arrival."""
    turnovers = []
    units = {unit.pk: unit for unit in data.units}
    for unit_id, rows in data.bookings.items():
        for i, row in enumerate(rows):
            if not data.start <= row["end"] < data.end:
                continue
            following = rows[i + 1] if i + 1 < len(rows) else None
            turnovers.append({"unit": units[unit_id], "departure": row["end"],
                              "free_from": row["blocked_until"], "booking": row,
                              "next_arrival": following["start"] if following else None,
                              "next": following})
    return sorted(turnovers, key=lambda t: (t["departure"], t["unit"].code_name))


def free_units(user: User, start: datetime.date, end: datetime.date, people: int = 1,
               needs: list[str] | None = None) -> list[Unit]:
    """Active units that take `people`, meet every accessibility need and are offered, not
    blocked and not booked (turnover buffers included) for the nights start … end - 1."""
    if end <= start:
        return []
    # Bookings arriving within our own turnover buffer after `end` clash too.
    data = schedule_data(user, start, end + datetime.timedelta(days=MAX_BUFFER_DAYS))
    wanted = set(needs or [])
    result = []
    for unit in data.units:
        if unit.capacity < people or not wanted <= set(unit.accessibility):
            continue
        if rules.first_uncovered_day(start, end, data.availability.get(unit.pk, [])):
            continue
        if any(rules.overlaps(start, end, b[0], b[1]) for b in data.blocks.get(unit.pk, [])):
            continue
        until = rules.blocked_until(end, unit.turnover_buffer_days)
        if any(rules.overlaps(start, until, r["start"], r["blocked_until"])
               for r in data.bookings.get(unit.pk, [])):
            continue
        result.append(unit)
    return result
