"""A case's housing section: its bookings, booking a unit, changing a booking's dates and
cancelling a booking.

The booking form starts from the case's planned arrival and departure. A refused booking or
change is an error (409): it says that nothing was booked or changed, shows the clash (the
other booking's dates, never its case) and suggests units that are free for the requested
dates. Cancelling shows what will happen first (`confirm.html`) and acts only when confirmed.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cases import access as case_access
from cases.models import Case
from housing import access, policies, selectors, services
from housing.forms import BookingForm, StayForm
from housing.models import Booking
from shelter.access import guarded_by
from shelter.audit import Action
from shelter.audit.web import record_rejection


def confirmed(request: HttpRequest) -> bool:
    """A POST from the confirmation page (an old form without `confirmed=1` only asks)."""
    return request.method == "POST" and request.POST.get("confirmed") == "1"


def _conflict(request: HttpRequest, form, target, error: services.BookingConflict,
              start, end) -> list:
    """Show the clash on the form as an error (nothing was booked or changed), record the
    rejected write, suggest free units."""
    if isinstance(target, Booking):
        message = _("The dates are not changed. %(reason)s Choose other dates.")
    else:
        message = _("Not booked. %(reason)s Choose other dates or another unit.")
    form.add_error(None, message % {"reason": error.message})
    # A clash is a business rule saying no, not a refusal of access: REJECTED, not REFUSED.
    record_rejection(request, Action.BOOKING_CHANGE if isinstance(target, Booking)
                     else Action.BOOKING_CREATE, target, reason="conflict", conflict=error.kind)
    return selectors.free_units(request.user, start, end)


def _case_page(request: HttpRequest, case: Case, show_address: bool, status: int = 200,
               **extra) -> HttpResponse:
    bookings = selectors.case_bookings(request.user, case)
    return render(request, "housing/case.html", case_access.case_context(
        request, case, "housing", bookings=bookings, show_address=show_address,
        addresses=selectors.case_booking_addresses(request.user, case, bookings)
        if show_address else {},
        may_see_address=policies.can_view_case_housing(request.user, case, True),
        can_book=policies.can_book_for_case(request.user, case),
        can_manage=policies.can_manage_housing(request.user), **extra), status=status)


def _planned_stay(case: Case) -> dict:
    """The booking form starts from the case's planned arrival and departure, when set."""
    planned = {"start": case.planned_arrival, "end": case.planned_departure}
    return {name: value for name, value in planned.items() if value is not None}


@sensitive_post_parameters()
@guarded_by(access.access_case_housing)
def case_housing(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The section; `?address=1` also shows the units' addresses (recorded separately)."""
    case, show_address = access.access_case_housing(request, case_id,
                                                    request.GET.get("address") == "1")
    units = selectors.units_visible_to(request.user).filter(is_active=True)
    form = BookingForm(request.POST or None, units=units, initial=_planned_stay(case))
    suggestions, status = None, 200
    if request.method == "POST":
        if not policies.can_book_for_case(request.user, case):
            raise access.refuse(request, access.CASE, case_id)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.booking_create(unit=data["unit"], case=case, start=data["start"],
                                        end=data["end"], status=data["status"],
                                        reason=data["reason"], note=data["note"],
                                        acting_user=request.user)
            except services.BookingConflict as error:
                suggestions = _conflict(request, form, case, error, data["start"], data["end"])
                status = 409
            except services.HousingError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, _("The unit is booked."))
                return redirect("housing:case", case_id=case.pk)
        else:
            status = 400
    return _case_page(request, case, show_address, status=status, form=form,
                      suggestions=suggestions)


@sensitive_post_parameters()
@guarded_by(access.access_booking)
def booking_change(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Change the dates of a booking; a clash is shown, nothing is changed then."""
    booking = access.access_booking(request, pk, write=request.method == "POST")
    form = StayForm(request.POST or None, initial={"start": booking.start, "end": booking.end})
    suggestions, status = None, 200
    if request.method == "POST" and not form.is_valid():
        status = 400
    elif request.method == "POST":
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        try:
            if start == booking.start:
                services.booking_extend(booking=booking, end=end, acting_user=request.user)
            else:
                services.booking_move(booking=booking, start=start, end=end,
                                      acting_user=request.user)
        except services.BookingConflict as error:
            suggestions = _conflict(request, form, booking, error, start, end)
            status = 409
        except services.HousingError as error:
            form.add_error(None, error.message)
            status = 400
        else:
            messages.success(request, _("The booking's dates are changed."))
            return redirect("housing:case", case_id=booking.case_id)
    return render(request, "housing/booking_change.html", {
        "booking": booking, "form": form, "suggestions": suggestions}, status=status)


def _booking_action(request: HttpRequest, pk: uuid.UUID, action, done: str) -> HttpResponse:
    booking = access.access_booking(request, pk)
    try:
        action(booking=booking, acting_user=request.user)
    except services.HousingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("housing:case", case_id=booking.case_id)


@require_POST
@guarded_by(access.access_booking)
def booking_confirm(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _booking_action(request, pk, services.booking_confirm,
                           _("The booking is confirmed."))


def _confirm_cancel(request: HttpRequest, booking: Booking) -> HttpResponse:
    """What cancelling `booking` does, in words (code names and dates only)."""
    facts = {"unit": booking.unit.code_name, "case": booking.case.defender.code_name,
             "start": date_format(booking.start, "DATE_FORMAT"),
             "end": date_format(booking.end, "DATE_FORMAT")}
    consequences = [
        _("The booking of unit %(unit)s for case %(case)s from %(start)s to %(end)s is "
          "cancelled.") % facts,
        _("The unit becomes free for these dates: another case can book it."),
        _("The cancelled booking stays in the list of this case, marked cancelled; it cannot "
          "be made active again."),
    ]
    return render(request, "confirm.html", {
        "title": _("Cancel the booking of %(unit)s for %(case)s?") % facts,
        "consequences": consequences, "action_url": request.path,
        "confirm_label": _("Cancel booking"),
        "cancel_url": reverse("housing:case", args=[booking.case_id])})


@guarded_by(access.access_booking)
def booking_cancel(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """GET (or a POST without `confirmed=1`) shows what cancelling does; the confirmation's
    POST cancels. Both need the right to change the booking."""
    if not confirmed(request):
        return _confirm_cancel(request, access.access_booking(request, pk))
    return _booking_action(request, pk, services.booking_cancel,
                           _("The booking is cancelled."))
