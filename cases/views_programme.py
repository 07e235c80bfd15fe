"""A defender's programme (activities) and the agenda of all residencies."""

from __future__ import annotations

import calendar
import datetime
import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from cases import access, policies, section_rows, selectors, services
from cases.forms import ActivityForm, AgendaForm
from shelter.access import guarded_by


@sensitive_post_parameters()
@guarded_by(access.access_case)
def programme(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = access.access_case(request, pk, "programme")
    form = ActivityForm(request.POST or None)
    can_add = policies.can_contribute(request.user, case, "programme")
    if request.method == "POST":
        if not can_add:
            raise access.refuse(request, pk, "programme")
        if form.is_valid():
            services.activity_create(case=case, acting_user=request.user,
                                     **form.service_values())
            messages.success(request, _("The activity is added to the programme."))
            return redirect("cases:programme", pk=case.pk)
    return render(request, "cases/programme.html", access.case_context(
        request, case, "programme",
        activities=section_rows.activity_rows(case, selectors.case_activities(request.user, case)),
        form=form, today=timezone.localdate(), can_contribute=can_add))


@sensitive_post_parameters()
@guarded_by(access.access_activity)
def activity_edit(request: HttpRequest, pk: uuid.UUID, activity_id: uuid.UUID
                  ) -> HttpResponse:
    """Change a planned activity: its day, times, kind, title, place and details."""
    activity = access.access_activity(request, pk, activity_id)
    form = ActivityForm(request.POST or None, initial=ActivityForm.initial_for(activity))
    if request.method == "POST" and form.is_valid():
        changed = {name: value for name, value in form.service_values().items()
                   if name in form.changed_data}
        services.activity_update(activity=activity, acting_user=request.user, **changed)
        messages.success(request, _("The activity is changed."))
        return redirect("cases:programme", pk=activity.case_id)
    return render(request, "cases/activity_form.html", access.case_context(
        request, activity.case, "programme", form=form, activity=activity),
        status=400 if request.method == "POST" else 200)


def activity_name(activity: object) -> str:
    """An activity named by its kind and day ("Lecture or event on 5 January 2027")."""
    return _("%(kind)s on %(day)s") % {"kind": activity.get_kind_display(),
                                       "day": date_format(activity.day, "j F Y")}


@guarded_by(access.access_activity)
def activity_cancel(request: HttpRequest, pk: uuid.UUID, activity_id: uuid.UUID
                    ) -> HttpResponse:
    """GET (or a POST without `confirmed=1`): the confirmation page; POST confirmed: cancel."""
    activity = access.access_activity(request, pk, activity_id)
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        services.activity_cancel(activity=activity, acting_user=request.user)
        messages.success(request, _("The activity is cancelled."))
        return redirect("cases:programme", pk=activity.case_id)
    name = activity_name(activity)
    return render(request, "confirm.html", {
        "title": _("Cancel this activity: %(name)s") % {"name": name},
        "consequences": [
            _("%(name)s is cancelled for %(code)s.") % {"name": name,
                                                        "code": activity.case.defender.code_name},
            _("It stays in the programme, struck through, and leaves the agenda."),
            _("This cannot be undone; plan a new activity if it takes place after all."),
        ],
        "action_url": reverse("cases:activity_cancel", args=[activity.case_id, activity.pk]),
        "confirm_label": _("Cancel this activity"),
        "cancel_url": reverse("cases:programme", args=[activity.case_id])})


def _month(value: str) -> datetime.date | None:
    """The first day of the month "YYYY-MM", or None."""
    try:
        return datetime.date.fromisoformat(f"{value}-01") if len(value) == 7 else None
    except ValueError:
        return None


def _in_range(day: datetime.date | None) -> datetime.date | None:
    """`day` if it lies in a plausible century (the links around it must exist too)."""
    return day if day is not None and 1900 <= day.year <= 2200 else None


def _agenda_period(query: object, day: datetime.date | None) -> tuple[str, datetime.date, int]:
    """(view, first day, number of days) asked for by the agenda's query string: only dates."""
    if query.get("view") == "month":
        first = _in_range(_month(query.get("month", ""))) \
            or (day or timezone.localdate()).replace(day=1)
        return "month", first, calendar.monthrange(first.year, first.month)[1]
    return "weeks", day or timezone.localdate(), 14


@guarded_by(access.access_agenda)
def agenda(request: HttpRequest) -> HttpResponse:
    """Two weeks (or, with `?view=month&month=YYYY-MM`, a month) of every residency's
    programme (each case shown is recorded); partners see the programmes of cases whose
    residency is shared with them."""
    jump = AgendaForm(request.GET)
    valid = jump.is_valid()  # a date that cannot be read: its error, and today's agenda
    view, start, days = _agenda_period(request.GET, jump.cleaned_data.get("from"))
    if not request.GET.get("from"):
        jump = AgendaForm(initial={"from": start, "view": view})
    activities = access.access_agenda(request, start, days)
    context = {"activities": activities, "start": start, "view": view, "jump": jump,
               "end": start + datetime.timedelta(days=days - 1)}
    if view == "month":
        by_day = {}
        for activity in activities:
            by_day.setdefault(activity.day, []).append(activity)
        context.update(
            days=[(start + datetime.timedelta(days=n),
                   by_day.get(start + datetime.timedelta(days=n), [])) for n in range(days)],
            previous=(start - datetime.timedelta(days=1)).replace(day=1),
            next=start + datetime.timedelta(days=days))
    else:
        context.update(previous=start - datetime.timedelta(days=14),
                       next=start + datetime.timedelta(days=14))
    return render(request, "cases/agenda.html", context, status=200 if valid else 400)
