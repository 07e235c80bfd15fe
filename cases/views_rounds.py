"""Intake rounds: calls for nominations, with how many cases each brought in."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cases import access, policies, selectors, services
from cases.forms import IntakeRoundForm
from shelter.access import guarded_by


@guarded_by(access.access_intake_round)
def rounds(request: HttpRequest) -> HttpResponse:
    access.access_intake_round(request, write=request.method == "POST")
    can_manage = policies.can_manage_rounds(request.user)
    form = IntakeRoundForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            services.round_create(acting_user=request.user, **form.cleaned_data)
            messages.success(request, _("The intake round is opened."))
            return redirect("cases:rounds")
    return render(request, "cases/rounds.html", {
        "rounds": selectors.rounds_with_counts(request.user), "form": form,
        "can_manage": can_manage})


@guarded_by(access.access_intake_round)
def round_edit(request: HttpRequest, round_id: uuid.UUID) -> HttpResponse:
    intake_round = access.access_intake_round(request, round_id, write=True)
    form = IntakeRoundForm(request.POST or None, intake_round=intake_round,
                           initial=IntakeRoundForm.initial_for(intake_round))
    if request.method == "POST" and form.is_valid():
        services.round_update(intake_round=intake_round, acting_user=request.user,
                              **form.cleaned_data)
        messages.success(request, _("The intake round is saved."))
        return redirect("cases:rounds")
    return render(request, "cases/round_form.html", {"form": form, "intake_round": intake_round})
