"""The guards of the housing pages: one per object type, each the only way its views get it.

Housing pages answer 404 to anyone who may not use them (partners, auditors), whether the
object exists or not, and record the refusal; reads are recorded once per page, writes by the
services. Views name the guards they call with `shelter.access.guarded_by`.
"""

from __future__ import annotations

import datetime
import uuid

from django.http import Http404, HttpRequest

from cases import selectors as case_selectors
from cases.models import Case
from housing import ics, policies, selectors
from housing.models import Availability, Block, Booking, Unit
from shelter import audit
from shelter.access import guard
from shelter.audit import Action
from shelter.audit.web import mark_audited, record_refusal

CASE = "cases.case"
SCHEDULE = "housing.schedule"
UNIT = "housing.unit"


def refuse(request: HttpRequest, target_type: str, target_id: object = None,
           section: str = "housing") -> Http404:
    """Record a refusal and return the 404 to raise."""
    record_refusal(request, target_type, target_id, section=section)
    return Http404()


def _require_staff(request: HttpRequest, target_type: str) -> None:
    if not policies.can_manage_housing(request.user):
        raise refuse(request, target_type)


@guard
def access_schedule(request: HttpRequest, page: str | None = None, **facts: object) -> None:
    """The schedule and everything drawn from it (timeline, occupancy, find, units, export):
    coordinators and case officers. A `page` is recorded as a read of the schedule with
    `facts`; without one (the export, which records its own entry) only the decision is made.
    """
    _require_staff(request, SCHEDULE)
    if page is not None:
        audit.record(request.user, Action.SCHEDULE_VIEW, (SCHEDULE, None), page=page, **facts)
        mark_audited(request)


@guard
def access_schedule_export(request: HttpRequest, start: datetime.date, end: datetime.date,
                           months: int) -> tuple[str, int]:
    """The schedule from `start` to `end` as iCalendar text (code names and dates only) and
    its number of events, recorded as one export: staff only."""
    _require_staff(request, SCHEDULE)
    text, events = ics.calendar(selectors.schedule_data(request.user, start, end,
                                                        booking_ids=True))
    audit.record(request.user, Action.HOUSING_EXPORT, (SCHEDULE, None), months=months,
                 events=events)
    mark_audited(request)
    return text, events


@guard
def access_unit(request: HttpRequest, pk: uuid.UUID | str | None = None, *,
                write: bool = False) -> Unit | None:
    """A unit with its sealed fields (address, host).

    - `pk` to read (the unit page and its form): recorded as a read of the address;
    - `pk` with `write`: its periods and blocks are changed (recorded by the services);
    - no `pk` (with `write`): a new unit is registered.
    """
    if pk is None or write:
        _require_staff(request, UNIT)
        unit = selectors.unit_get_for(request.user, pk) if pk is not None else None
        if pk is not None and unit is None:
            raise refuse(request, UNIT, pk)
        mark_audited(request)
        return unit
    unit = selectors.unit_get_for(request.user, pk)
    if unit is None:
        raise refuse(request, UNIT, pk, "housing_address")
    audit.record(request.user, Action.UNIT_VIEW, unit, section="housing_address")
    mark_audited(request)
    return unit


@guard
def access_unit_period(request: HttpRequest, pk: uuid.UUID | str,
                       model: type[Availability] | type[Block],
                       item_id: uuid.UUID | str) -> Availability | Block:
    """An offer period or a block of unit `pk`, to remove it: staff."""
    _require_staff(request, UNIT)
    item = selectors.period_get_for(request.user, model, pk, item_id)
    if item is None:
        raise refuse(request, UNIT, pk)
    mark_audited(request)
    return item


@guard
def access_case_housing(request: HttpRequest, case_id: uuid.UUID | str,
                        with_address: bool = False) -> tuple[Case, bool]:
    """The case for its housing section, recorded as a read of it (and of the addresses when
    asked for and allowed, as a second entry); returns (case, whether addresses are shown)."""
    case = case_selectors.case_get_for(request.user, case_id)
    if case is None or not policies.can_view_case_housing(request.user, case):
        raise refuse(request, CASE, case_id)
    audit.record(request.user, Action.BOOKING_VIEW, case, section="housing")
    address = with_address and policies.can_view_case_housing(request.user, case, True)
    if address:
        audit.record(request.user, Action.BOOKING_VIEW, case, section="housing_address")
    mark_audited(request)
    return case, address


@guard
def access_booking(request: HttpRequest, pk: uuid.UUID | str, *, write: bool = True
                   ) -> Booking:
    """An active booking the user may change; its change form (`write=False`) is recorded as a
    read of it, the changes themselves by the services."""
    booking = selectors.booking_get_for(request.user, pk)
    if booking is None or not policies.can_change_booking(request.user, booking):
        raise refuse(request, "housing.booking", pk)
    if not write:
        audit.record(request.user, Action.BOOKING_VIEW, booking, case_id=booking.case_id)
    mark_audited(request)
    return booking
