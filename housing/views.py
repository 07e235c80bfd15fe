"""Schedule pages: timeline, occupancy, find a unit, iCalendar export, units and their periods.

Thin views: a guard of `housing.access` checks the policy and records the read (404 when
refused), a selector reads, a service writes, the template renders.
"""

from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from housing import access, selectors, services, timeline
from housing.forms import BlockForm, FindForm, PeriodForm, UnitForm
from housing.models import Availability, Block
from shelter.access import guarded_by
from shelter.charts import Series, bar_chart

MAX_MONTHS = 3
MAX_EXPORT_MONTHS = 12
YEARS_BACK, YEARS_AHEAD = 10, 2  # the years the occupancy per month can show


def _month(request: HttpRequest) -> datetime.date:
    try:
        return datetime.date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        return timezone.localdate().replace(day=1)


def _months(request: HttpRequest, limit: int) -> int:
    value = request.GET.get("months", "1")
    return min(max(int(value), 1), limit) if value.isdigit() else 1


@guarded_by(access.access_schedule)
def schedule(request: HttpRequest) -> HttpResponse:
    """Units × days for one to three months, with the turnovers of the next 30 days (both from
    one read of the schedule)."""
    first, months = _month(request), _months(request, MAX_MONTHS)
    access.access_schedule(request, "timeline", months=months)
    today = timezone.localdate()
    start, end = timeline.month_window(first, months)
    soon = (today, today + datetime.timedelta(days=30))
    data = selectors.schedule_windows(request.user, [(start, end), soon])
    grid = timeline.build(selectors.schedule_slice(data, start, end), today)
    turnovers = timeline.turnover_links(
        selectors.upcoming_turnovers(selectors.schedule_slice(data, *soon)))
    return render(request, "housing/schedule.html", {
        "grid": grid, "months": months, "turnovers": turnovers,
        "previous": (start - datetime.timedelta(days=1)).replace(day=1),
        "next": timeline.month_window(start, 1)[1], "this_month": today.replace(day=1),
        "states": grid.labels, "marks": timeline.STATE_MARKS})


def _period(request: HttpRequest) -> tuple[datetime.date, datetime.date]:
    form = PeriodForm(request.GET or None)
    if form.is_valid() and (form.cleaned_data["end"] - form.cleaned_data["start"]).days <= 400:
        return form.cleaned_data["start"], form.cleaned_data["end"]
    return timeline.month_window(timezone.localdate(), 1)


@guarded_by(access.access_schedule)
def occupancy(request: HttpRequest) -> HttpResponse:
    """Nights offered and booked per unit and overall for a chosen period."""
    access.access_schedule(request, "occupancy")
    start, end = _period(request)
    rows, total = selectors.occupancy(selectors.schedule_data(request.user, start, end))
    return render(request, "housing/occupancy.html", {
        "rows": rows, "total": total, "start": start, "end": end,
        "form": PeriodForm(initial={"start": start, "end": end})})


def _year(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    value = request.GET.get("year", "")
    # isascii: "²".isdigit() is true, and int("²") fails.
    year = int(value) if value.isascii() and value.isdigit() else this_year
    return min(max(year, this_year - YEARS_BACK), this_year + YEARS_AHEAD)


@guarded_by(access.access_schedule)
def occupancy_year(request: HttpRequest) -> HttpResponse:
    """Occupancy of all units per month of one year: a chart and its table."""
    year = _year(request)
    access.access_schedule(request, "occupancy_year", year=year)
    months = selectors.occupancy_by_month(request.user, year)
    chart = bar_chart(
        title=_("Occupancy per month in %(year)s") % {"year": year}, unit="%", max_value=100,
        category_label=_("Month"), categories=[date_format(m["month"], "M") for m in months],
        series=[Series(label=_("Nights booked of nights offered"),
                       values=[m["percent"] for m in months])],
        missing=_("no nights offered"))
    this_year = timezone.localdate().year
    return render(request, "housing/occupancy_year.html", {
        "year": year, "months": months, "chart": chart,
        "years": range(this_year + YEARS_AHEAD, this_year - YEARS_BACK - 1, -1)})


@sensitive_post_parameters()
@guarded_by(access.access_schedule)
def find(request: HttpRequest) -> HttpResponse:
    """Free units for dates and needs. A POST, so needs never appear in URLs or logs."""
    access.access_schedule(request, "find")
    form = FindForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        results = selectors.free_units(request.user, data["start"], data["end"],
                                       data["people"], data["needs"])
    return render(request, "housing/find.html", {"form": form, "results": results})


@guarded_by(access.access_schedule_export)
def export(request: HttpRequest) -> HttpResponse:
    """The schedule as an .ics file (code names and dates only), recorded as an export."""
    first, months = _month(request), _months(request, MAX_EXPORT_MONTHS)
    text, _events = access.access_schedule_export(
        request, *timeline.month_window(first, months), months)
    response = HttpResponse(text.encode(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="housing-{first:%Y-%m}-{months}m.ics"')
    response["Cache-Control"] = "no-store"
    return response


# --- units ---------------------------------------------------------------------------------
@guarded_by(access.access_schedule)
def units(request: HttpRequest) -> HttpResponse:
    access.access_schedule(request, "units")
    return render(request, "housing/units.html",
                  {"units": list(selectors.units_visible_to(request.user))})


@sensitive_post_parameters()
@guarded_by(access.access_unit)
def unit_create(request: HttpRequest) -> HttpResponse:
    access.access_unit(request, write=True)
    form = UnitForm(request.POST or None, initial={"turnover_buffer_days": 1, "capacity": 1})
    if request.method == "POST" and form.is_valid():
        unit = services.unit_create(acting_user=request.user, **form.service_values())
        messages.success(request, _("The unit is registered. Add the periods it is offered."))
        return redirect("housing:unit", pk=unit.pk)
    return render(request, "housing/unit_form.html", {"form": form, "unit": None})


@guarded_by(access.access_unit)
def unit_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    unit = access.access_unit(request, pk)
    return render(request, "housing/unit.html", {
        "unit": unit, **selectors.unit_periods(unit), "period_form": PeriodForm(),
        "block_form": BlockForm()})


@sensitive_post_parameters()
@guarded_by(access.access_unit)
def unit_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    unit = access.access_unit(request, pk)
    form = UnitForm(request.POST or None, unit=unit, initial=UnitForm.initial_for(unit))
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(unit=unit, acting_user=request.user, **form.service_values())
        except services.HousingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The unit is saved."))
            return redirect("housing:unit", pk=unit.pk)
    return render(request, "housing/unit_form.html", {"form": form, "unit": unit})


def _unit_write(request: HttpRequest, pk: uuid.UUID, write, form_class) -> HttpResponse:
    unit = access.access_unit(request, pk, write=True)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        try:
            write(unit, form.cleaned_data)
        except services.HousingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The unit's schedule is changed."))
    return redirect("housing:unit", pk=pk)


@require_POST
@guarded_by(access.access_unit)
def availability_add(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _unit_write(request, pk, lambda unit, data: services.availability_add(
        unit=unit, start=data["start"], end=data["end"], acting_user=request.user), PeriodForm)


@require_POST
@guarded_by(access.access_unit)
def block_add(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _unit_write(request, pk, lambda unit, data: services.block_add(
        unit=unit, start=data["start"], end=data["end"], reason=data["reason"],
        acting_user=request.user), BlockForm)


def _period_remove(request: HttpRequest, pk: uuid.UUID, model, item_id: uuid.UUID,
                   remove) -> HttpResponse:
    item = access.access_unit_period(request, pk, model, item_id)
    try:
        remove(item)
    except services.HousingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The unit's schedule is changed."))
    return redirect("housing:unit", pk=pk)


@require_POST
@guarded_by(access.access_unit_period)
def availability_remove(request: HttpRequest, pk: uuid.UUID, period_id: uuid.UUID
                        ) -> HttpResponse:
    return _period_remove(request, pk, Availability, period_id, lambda period: (
        services.availability_remove(period=period, acting_user=request.user)))


@require_POST
@guarded_by(access.access_unit_period)
def block_remove(request: HttpRequest, pk: uuid.UUID, block_id: uuid.UUID) -> HttpResponse:
    return _period_remove(request, pk, Block, block_id, lambda block: (
        services.block_remove(block=block, acting_user=request.user)))
