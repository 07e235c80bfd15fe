"""The read choke point of the housing pages: policy check, access-log entry, 404 when refused.

Housing pages answer 404 to anyone who may not use them (partners, auditors), whether the
object exists or not, and record the refusal; reads are recorded once per page.
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest

from cases import selectors as case_selectors
from cases.models import Case
from housing import policies, selectors
from housing.models import Booking, Unit
from shelter import audit
from shelter.audit import Action
from shelter.audit.web import mark_audited, record_refusal

CASE = "cases.case"


def refuse(request: HttpRequest, target_type: str, target_id: object = None,
           section: str = "housing") -> Http404:
    """Record a refusal and return the 404 to raise."""
    record_refusal(request, target_type, target_id, section=section)
    return Http404()


def require_staff(request: HttpRequest, target_type: str = "housing.schedule") -> None:
    """Schedule, units, occupancy, search and export: coordinators and case officers."""
    if not policies.can_manage_housing(request.user):
        raise refuse(request, target_type)


def read_schedule(request: HttpRequest, page: str, **facts: object) -> None:
    """Record a read of a schedule-wide page (timeline, occupancy, search)."""
    require_staff(request)
    audit.record(request.user, Action.SCHEDULE_VIEW, ("housing.schedule", None), page=page,
                 **facts)
    mark_audited(request)


def read_unit(request: HttpRequest, unit_id: uuid.UUID) -> Unit:
    """A unit with its sealed fields (address, host): recorded as a read of the address."""
    unit = selectors.unit_get_for(request.user, unit_id)
    if unit is None:
        raise refuse(request, "housing.unit", unit_id, "housing_address")
    audit.record(request.user, Action.UNIT_VIEW, unit, section="housing_address")
    mark_audited(request)
    return unit


def read_case(request: HttpRequest, case_id: uuid.UUID, with_address: bool) -> tuple[Case, bool]:
    """The case for its housing section; (case, whether addresses may be shown)."""
    case = case_selectors.case_get_for(request.user, case_id)
    if case is None or not policies.can_view_case_housing(request.user, case):
        raise refuse(request, CASE, case_id)
    audit.record(request.user, Action.BOOKING_VIEW, case, section="housing")
    address = with_address and policies.can_view_case_housing(request.user, case, True)
    if address:
        audit.record(request.user, Action.BOOKING_VIEW, case, section="housing_address")
    mark_audited(request)
    return case, address


def change_booking(request: HttpRequest, booking_id: uuid.UUID) -> Booking:
    """An active booking the user may change (writes are recorded by the services)."""
    booking = selectors.booking_get_for(request.user, booking_id)
    if booking is None or not policies.can_change_booking(request.user, booking):
        raise refuse(request, "housing.booking", booking_id)
    mark_audited(request)
    return booking
