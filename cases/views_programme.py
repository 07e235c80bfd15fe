"""A defender's programme (activities) and the agenda of all residencies."""

from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cases import access, policies, selectors, services
from cases.forms import ActivityForm
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
        request, case, "programme", activities=selectors.case_activities(request.user, case),
        form=form, today=timezone.localdate(), can_contribute=can_add))


@require_POST
@guarded_by(access.access_activity)
def activity_cancel(request: HttpRequest, pk: uuid.UUID, activity_id: uuid.UUID
                    ) -> HttpResponse:
    activity = access.access_activity(request, pk, activity_id)
    services.activity_cancel(activity=activity, acting_user=request.user)
    messages.success(request, _("The activity is cancelled."))
    return redirect("cases:programme", pk=activity.case_id)


@guarded_by(access.access_agenda)
def agenda(request: HttpRequest) -> HttpResponse:
    """The next two weeks of every residency's programme (each case shown is recorded);
    partners see the programmes of cases whose residency is shared with them."""
    try:
        start = datetime.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        start = timezone.localdate()
    activities = access.access_agenda(request, start)
    return render(request, "cases/agenda.html", {
        "activities": activities, "start": start,
        "previous": start - datetime.timedelta(days=14),
        "next": start + datetime.timedelta(days=14)})
