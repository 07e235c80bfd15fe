"""A case's Budget tab: its lines by category with planned / actual / difference, totals per
funder, and (for coordinators and the assigned officer) its payments, the forms that change
them and the allowance schedule. Removing a line and cancelling a payment confirm first."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from budget import access, policies, selectors, services
from budget.forms import AllowanceForm, LineForm, PaymentForm
from budget.models import Payment
from cases import access as case_access
from cases.models import Case
from shelter.access import guarded_by


def confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("confirmed") == "1"


def _page(request: HttpRequest, case: Case, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    lines = selectors.case_lines(user, case)
    payments = selectors.case_payments(user, case)
    can_change = policies.can_change_budget(user, case)
    funders = selectors.funders(user, active_only=True)
    if can_change:
        forms.setdefault("line_form", LineForm(funders=funders, prefix="line"))
        forms.setdefault("payment_form", PaymentForm(lines=_lines_qs(case), prefix="payment"))
    return render(request, "budget/case.html", case_access.case_context(
        request, case, "budget", lines=lines, payments=payments,
        totals=selectors.case_budget(lines, payments),
        show_payments=policies.can_view_payments(user, case), can_change_budget=can_change,
        show_descriptions=policies.can_view_line_descriptions(user, case),
        **forms), status=status)


def _lines_qs(case: Case):
    return selectors.line_choices(case)


@guarded_by(access.access_case_budget)
def case_budget(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _page(request, access.access_case_budget(request, pk))


@sensitive_post_parameters()
@require_POST
@guarded_by(access.access_case_budget)
def line_add(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = access.access_case_budget(request, pk, write=True)
    form = LineForm(request.POST, funders=selectors.funders(request.user, active_only=True),
                    prefix="line")
    if not form.is_valid():
        return _page(request, case, 400, line_form=form)
    services.budget_line_create(case=case, acting_user=request.user, **form.service_values())
    messages.success(request, _("The budget line is added."))
    return redirect("budget:case", pk=case.pk)


@sensitive_post_parameters()
@guarded_by(access.access_line)
def line_edit(request: HttpRequest, pk: uuid.UUID, line_id: uuid.UUID) -> HttpResponse:
    line = access.access_line(request, pk, line_id)
    funders = selectors.funders(request.user, active_only=True, keep=line.funder_id)
    form = LineForm(request.POST or None, funders=funders,
                    initial=LineForm.initial_for(line))
    if request.method == "POST" and form.is_valid():
        services.budget_line_update(line=line, acting_user=request.user,
                                    **form.service_values())
        messages.success(request, _("The budget line is changed."))
        return redirect("budget:case", pk=line.case_id)
    return render(request, "budget/form.html", {
        "case": line.case, "form": form, "title": _("Change the budget line"),
        "cancel_url": reverse("budget:case", args=[line.case_id])},
        status=400 if request.method == "POST" else 200)


@guarded_by(access.access_line)
def line_delete(request: HttpRequest, pk: uuid.UUID, line_id: uuid.UUID) -> HttpResponse:
    line = access.access_line(request, pk, line_id)
    if not confirmed(request):
        return render(request, "confirm.html", {
            "title": _("Remove this budget line?"),
            "consequences": [
                _("The line (%(category)s, %(funder)s) is removed from the budget of case "
                  "%(case)s.") % {"category": line.get_category_display(),
                                  "funder": line.funder.name,
                                  "case": line.case.defender.code_name},
                _("A line that payments belong to cannot be removed.")],
            "action_url": request.path, "confirm_label": _("Remove line"),
            "cancel_url": reverse("budget:case", args=[line.case_id])})
    try:
        services.budget_line_delete(line=line, acting_user=request.user)
    except services.BudgetError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The budget line is removed."))
    return redirect("budget:case", pk=line.case_id)


@sensitive_post_parameters()
@require_POST
@guarded_by(access.access_payments)
def payment_add(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = access.access_payments(request, pk)
    form = PaymentForm(request.POST, lines=_lines_qs(case), prefix="payment")
    if not form.is_valid():
        return _page(request, case, 400, payment_form=form)
    try:
        services.payment_record(case=case, acting_user=request.user, **form.service_values())
    except services.BudgetError as error:
        form.add_error(None, error.message)
        return _page(request, case, 400, payment_form=form)
    messages.success(request, _("The payment is recorded."))
    return redirect("budget:case", pk=case.pk)


@sensitive_post_parameters()
@guarded_by(access.access_payment)
def payment_edit(request: HttpRequest, pk: uuid.UUID, payment_id: uuid.UUID) -> HttpResponse:
    payment = access.access_payment(request, pk, payment_id)
    form = PaymentForm(request.POST or None, lines=_lines_qs(payment.case),
                       initial=PaymentForm.initial_for(payment))
    if payment.status == Payment.Status.CANCELLED:
        messages.error(request, _("A cancelled payment cannot be changed."))
        return redirect("budget:case", pk=payment.case_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_update(payment=payment, acting_user=request.user,
                                    **form.service_values())
        except services.BudgetError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The payment is changed."))
            return redirect("budget:case", pk=payment.case_id)
    return render(request, "budget/form.html", {
        "case": payment.case, "form": form, "title": _("Change the payment"),
        "cancel_url": reverse("budget:case", args=[payment.case_id])},
        status=400 if request.method == "POST" else 200)


@guarded_by(access.access_payment)
def payment_cancel(request: HttpRequest, pk: uuid.UUID, payment_id: uuid.UUID) -> HttpResponse:
    payment = access.access_payment(request, pk, payment_id)
    if not confirmed(request):
        return render(request, "confirm.html", {
            "title": _("Cancel this payment?"),
            "consequences": [
                _("The payment stays in the list of case %(case)s, marked cancelled; it no "
                  "longer counts as paid or planned.") % {"case": payment.case.defender.code_name},
                _("A cancelled payment cannot be made active again.")],
            "action_url": request.path, "confirm_label": _("Cancel payment"),
            "cancel_url": reverse("budget:case", args=[payment.case_id])})
    try:
        services.payment_cancel(payment=payment, acting_user=request.user)
    except services.BudgetError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The payment is cancelled."))
    return redirect("budget:case", pk=payment.case_id)


@guarded_by(access.access_payments)
def allowance(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """GET: the form and the stay it works from; POST: (re)generate and show the result."""
    case = access.access_payments(request, pk)
    form = AllowanceForm(request.POST or None,
                         funders=selectors.funders(request.user, active_only=True))
    result, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = services.allowance_schedule(
                    case=case, acting_user=request.user, rate=form.cleaned_data["rate"],
                    funder=form.cleaned_data["funder"])
            except services.BudgetError as error:
                form.add_error(None, error.message)
                status = 400
        else:
            status = 400
    start, end = services.stay_of(case)
    return render(request, "budget/allowance.html", case_access.case_context(
        request, case, "budget", form=form, result=result, start=start, end=end),
        status=status)


