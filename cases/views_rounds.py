"""Intake rounds: calls for nominations, with how many cases each brought in."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from cases import access, policies, selectors, services
from cases.forms import IntakeRoundForm
from cases.models import IntakeRound


def rounds(request: HttpRequest) -> HttpResponse:
    access.require_list_access(request)
    can_manage = policies.can_manage_rounds(request.user)
    form = IntakeRoundForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            services.round_create(acting_user=request.user, **form.cleaned_data)
            messages.success(request, _("The intake round is opened."))
            return redirect("cases:rounds")
    return render(request, "cases/rounds.html", {
        "rounds": selectors.rounds_with_counts(request.user), "form": form,
        "can_manage": can_manage})


def round_edit(request: HttpRequest, round_id: uuid.UUID) -> HttpResponse:
    access.require_list_access(request)
    if not policies.can_manage_rounds(request.user):
        raise PermissionDenied
    intake_round = get_object_or_404(IntakeRound, pk=round_id)
    form = IntakeRoundForm(request.POST or None, intake_round=intake_round,
                           initial=IntakeRoundForm.initial_for(intake_round))
    if request.method == "POST" and form.is_valid():
        services.round_update(intake_round=intake_round, acting_user=request.user,
                              **form.cleaned_data)
        messages.success(request, _("The intake round is saved."))
        return redirect("cases:rounds")
    return render(request, "cases/round_form.html", {"form": form, "intake_round": intake_round})
