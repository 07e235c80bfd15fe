"""A case's legal hold: coordinators see, place and lift it (see `policies.can_manage_legal_hold`).

While a hold is active the case is never crypto-shredded (the retention job counts it as held;
`shred_case` refuses). Lifting it lets the next retention run shred the case, so it asks for a
confirmation and a recent second factor.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from cases import access, selectors, services
from cases.forms import LegalHoldForm
from shelter.access import guarded_by
from shelter.accounts.recent import ask_for_recent_second_factor


@sensitive_post_parameters()
@guarded_by(access.access_legal_hold)
def legal_hold(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The hold panel: the active hold and its record, or the form that places one (POST)."""
    case = access.access_legal_hold(request, pk)
    form = LegalHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.legal_hold_place(case=case, reason=form.cleaned_data["reason"],
                                      acting_user=request.user)
        except services.HoldError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The case is under a legal hold: it will not be "
                                        "crypto-shredded until the hold is lifted."))
            return redirect("cases:legal_hold", pk=case.pk)
    return render(request, "cases/legal_hold.html", access.case_context(
        request, case, "basic", form=form, active=selectors.legal_hold_active(case),
        holds=selectors.legal_holds_of(case)), status=400 if form.errors else 200)


@guarded_by(access.access_legal_hold)
def legal_hold_lift(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """GET (or a POST without `confirmed=1`): what lifting does. The confirmation's POST, with a
    recent second factor, lifts the hold."""
    case = access.access_legal_hold(request, pk)
    active = selectors.legal_hold_active(case)
    if active is None:
        messages.info(request, _("This case is not under a legal hold."))
        return redirect("cases:legal_hold", pk=case.pk)
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        back = reverse("cases:legal_hold_lift", args=[case.pk])
        if fresh := ask_for_recent_second_factor(request, back):
            return fresh
        try:
            services.legal_hold_lift(hold=active, acting_user=request.user)
        except services.HoldError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The legal hold is lifted."))
        return redirect("cases:legal_hold", pk=case.pk)
    return render(request, "confirm.html", {
        "title": _("Lift the legal hold?"),
        "consequences": [
            _("Retention applies to case %(code_name)s again.") % {
                "code_name": case.defender.code_name},
            _("If the case ended longer ago than the retention period, the next retention run "
              "crypto-shreds it: its personal data can then no longer be read by anyone."),
            _("You will be asked for your second factor if you have not given it in the last "
              "minutes."),
        ],
        "action_url": reverse("cases:legal_hold_lift", args=[case.pk]),
        "confirm_label": _("Lift the hold"),
        "cancel_url": reverse("cases:legal_hold", args=[case.pk]),
    })
