"""A case's logistics: the page, and the forms of each part. Thin: a guard (`cases.access`,
`cases.logistics.access`), then selectors or one service, then the template."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from cases import access
from cases.choices import Stage
from cases.logistics import policies, selectors, services
from cases.logistics.access import access_companion, access_leg
from cases.logistics.forms import (
    CompanionForm,
    InsuranceForm,
    LegForm,
    PassportVisaForm,
    companion_label,
)
from cases.logistics.models import Companion
from cases.models import Case
from shelter.access import guarded_by

SECTION = "logistics"


def _as_text(value: object) -> str:
    """An earlier free-text value as lines (it was a text, a dict of texts or a list)."""
    if isinstance(value, dict):
        return "\n".join(_as_text(v) for v in value.values() if v)
    if isinstance(value, list | tuple):
        return "\n".join(_as_text(v) for v in value if v)
    return "" if value is None else str(value)


def _legacy_notes(case: Case) -> list[tuple[str, str]]:
    """The residency's earlier free text, non-empty values only (shown read-only)."""
    found = [(_("Visa"), case.visa_status), (_("Travel"), case.travel),
             (_("Insurance"), case.insurance), (_("Allowance"), case.allowance),
             (_("Accompanying persons"), case.accompanying_persons)]
    return [(label, text) for label, value in found if (text := _as_text(value)).strip()]


@guarded_by(access.access_case)
def logistics(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = access.access_case(request, pk, SECTION, "identity")
    user = request.user
    data = selectors.case_logistics(user, case)
    ahead = None
    if case.stage in (Stage.ACCEPTED, Stage.PREPARING_ARRIVAL):
        ahead = selectors.guard_failures(case)
    return render(request, "logistics/logistics.html", access.case_context(
        request, case, SECTION, data=data, warnings=selectors.case_warnings(user, case),
        ahead=ahead, companions=[
            {"companion": c, "label": companion_label(c),
             "documents": data.companion_documents.get(c.pk)} for c in data.companions],
        show_identity=policies.can_view_companion_identity(user, case),
        can_edit=policies.can_change_logistics(user, case),
        legacy=_legacy_notes(case) if policies.can_view_legacy_notes(user, case) else []))


def _traveller(request: HttpRequest, pk: uuid.UUID, companion_id: uuid.UUID | None
               ) -> tuple[Case, Companion | None]:
    if companion_id is None:
        return access.access_case(request, pk, SECTION, write=True), None
    companion = access_companion(request, pk, companion_id)
    return companion.case, companion


def _documents_form(request: HttpRequest, pk: uuid.UUID, companion_id: uuid.UUID | None,
                    form_class: type, service: object, title: str, saved: str) -> HttpResponse:
    case, companion = _traveller(request, pk, companion_id)
    row = selectors.documents_of(case, companion)
    form = form_class(request.POST or None,
                      initial=form_class.initial_for(row) if row is not None else None)
    if request.method == "POST" and form.is_valid():
        service(case=case, companion=companion, acting_user=request.user,
                **form.service_values())
        messages.success(request, saved)
        return redirect("cases:logistics", pk=case.pk)
    who = companion_label(companion) if companion else _("The defender")
    return render(request, "cases/edit.html", access.case_context(
        request, case, SECTION, form=form, title=f"{title}: {who}"),
        status=400 if form.is_bound else 200)


@sensitive_post_parameters()
@guarded_by(access.access_case, access_companion)
def documents_edit(request: HttpRequest, pk: uuid.UUID,
                   companion_id: uuid.UUID | None = None) -> HttpResponse:
    return _documents_form(request, pk, companion_id, PassportVisaForm,
                           services.passport_visa_update, _("Passport and visa"),
                           _("The passport and visa are saved."))


@sensitive_post_parameters()
@guarded_by(access.access_case, access_companion)
def insurance_edit(request: HttpRequest, pk: uuid.UUID,
                   companion_id: uuid.UUID | None = None) -> HttpResponse:
    return _documents_form(request, pk, companion_id, InsuranceForm, services.insurance_update,
                           _("Insurance"), _("The insurance is saved."))


def _leg_page(request: HttpRequest, case: Case, form: LegForm, title: str) -> HttpResponse:
    return render(request, "cases/edit.html", access.case_context(
        request, case, SECTION, form=form, title=title), status=400 if form.is_bound else 200)


@sensitive_post_parameters()
@guarded_by(access.access_case)
def leg_create(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = access.access_case(request, pk, SECTION, write=True)
    form = LegForm(request.POST or None, companions=selectors.companions_of(request.user, case))
    if request.method == "POST" and form.is_valid():
        services.leg_create(case=case, acting_user=request.user, **form.service_values())
        messages.success(request, _("The journey is added."))
        return redirect("cases:logistics", pk=case.pk)
    return _leg_page(request, case, form, _("Add a journey"))


@sensitive_post_parameters()
@guarded_by(access_leg)
def leg_edit(request: HttpRequest, pk: uuid.UUID, leg_id: uuid.UUID) -> HttpResponse:
    leg = access_leg(request, pk, leg_id)
    form = LegForm(request.POST or None, companions=selectors.companions_of(request.user, leg.case),
                   initial=LegForm.initial_for(leg))
    if request.method == "POST" and form.is_valid():
        services.leg_update(leg=leg, acting_user=request.user, **form.service_values())
        messages.success(request, _("The journey is saved."))
        return redirect("cases:logistics", pk=leg.case_id)
    return _leg_page(request, leg.case, form, _("Change a journey"))


@guarded_by(access_leg)
def leg_delete(request: HttpRequest, pk: uuid.UUID, leg_id: uuid.UUID) -> HttpResponse:
    leg = access_leg(request, pk, leg_id)
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        services.leg_delete(leg=leg, acting_user=request.user)
        messages.success(request, _("The journey is removed."))
        return redirect("cases:logistics", pk=leg.case_id)
    return render(request, "confirm.html", {
        "title": _("Remove this journey"),
        "consequences": [
            _("The %(direction)s journey of %(date)s is removed from %(code)s's logistics.") % {
                "direction": leg.get_direction_display().lower(),
                "date": date_format(leg.travel_on, "DATE_FORMAT"),
                "code": leg.case.defender.code_name},
            _("This cannot be undone; add the journey again if it was a mistake.")],
        "action_url": reverse("cases:logistics_leg_delete", args=[leg.case_id, leg.pk]),
        "confirm_label": _("Remove this journey"),
        "cancel_url": reverse("cases:logistics", args=[leg.case_id])})


@sensitive_post_parameters()
@guarded_by(access.access_case)
def companion_create(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = access.access_case(request, pk, SECTION, "identity", write=True)
    form = CompanionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.companion_add(case=case, acting_user=request.user, **form.service_values())
        messages.success(request, _("The accompanying person is added."))
        return redirect("cases:logistics", pk=case.pk)
    return render(request, "cases/edit.html", access.case_context(
        request, case, SECTION, form=form, title=_("Add an accompanying person")),
        status=400 if form.is_bound else 200)


@sensitive_post_parameters()
@guarded_by(access_companion)
def companion_edit(request: HttpRequest, pk: uuid.UUID, companion_id: uuid.UUID
                   ) -> HttpResponse:
    companion = access_companion(request, pk, companion_id)
    form = CompanionForm(request.POST or None, initial=CompanionForm.initial_for(companion))
    if request.method == "POST" and form.is_valid():
        services.companion_update(companion=companion, acting_user=request.user,
                                  **form.service_values())
        messages.success(request, _("The accompanying person is saved."))
        return redirect("cases:logistics", pk=companion.case_id)
    return render(request, "cases/edit.html", access.case_context(
        request, companion.case, SECTION, form=form, title=companion_label(companion)),
        status=400 if form.is_bound else 200)


@guarded_by(access_companion)
def companion_remove(request: HttpRequest, pk: uuid.UUID, companion_id: uuid.UUID
                     ) -> HttpResponse:
    companion = access_companion(request, pk, companion_id)
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        services.companion_remove(companion=companion, acting_user=request.user)
        messages.success(request, _("The accompanying person is removed."))
        return redirect("cases:logistics", pk=companion.case_id)
    return render(request, "confirm.html", {
        "title": _("Remove %(person)s") % {"person": companion_label(companion)},
        "consequences": [
            _("%(person)s is removed from %(code)s's logistics, with their documents and "
              "journeys.") % {"person": companion_label(companion),
                              "code": companion.case.defender.code_name},
            _("This cannot be undone.")],
        "action_url": reverse("cases:logistics_companion_remove",
                              args=[companion.case_id, companion.pk]),
        "confirm_label": _("Remove this person"),
        "cancel_url": reverse("cases:logistics", args=[companion.case_id])})
