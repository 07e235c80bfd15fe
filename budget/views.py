"""The budget across cases: the overview (per year and intake round, per funder and category,
with the chart of budget against actual), the funder export, funders and yearly budgets.
Coordinators only (the guards answer 404 to everyone else)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budget import access, export, selectors, services
from budget.forms import FunderBudgetForm, FunderForm, YearForm
from cases.models import IntakeRound
from shelter.access import guarded_by
from shelter.charts import Series, bar_chart


def _filters(request: HttpRequest) -> tuple[int, IntakeRound | None]:
    return YearForm(request.GET or None, rounds=IntakeRound.objects.all()).chosen()


def _round_facts(year: int, intake_round: IntakeRound | None) -> dict:
    return {"year": year, "round_id": intake_round.pk if intake_round else None}


@guarded_by(access.access_overview)
def overview(request: HttpRequest) -> HttpResponse:
    year, intake_round = _filters(request)
    access.access_overview(request, "overview", **_round_facts(year, intake_round))
    data = selectors.overview(request.user, year, intake_round)
    return render(request, "budget/overview.html", {
        **data, "year": year, "intake_round": intake_round,
        "filters": YearForm(initial={"year": year, "round": intake_round},
                            rounds=IntakeRound.objects.all()),
        "chart": _chart(data["funders"]),
        "warnings": [r for r in data["funders"] if r.over_budget or r.planned_over_budget],
        "query": request.GET.urlencode()})


def _chart(rows: list) -> object:
    """Budget against actual per funder; a funder without a budget this year has no bar."""
    return bar_chart(title=_("Budget and actual per funder"), categories=[r.label for r in rows],
                     series=[Series(label=_("Budget"), values=[r.budget for r in rows],
                                    missing=_("no budget set")),
                             Series(label=_("Actual"), values=[r.actual for r in rows])],
                     unit="€")


def _export(request: HttpRequest, kind: str) -> HttpResponse:
    year, intake_round = _filters(request)
    table = access.access_export(request, year, intake_round, kind)
    body = export.to_csv(table) if kind == "csv" else export.to_xlsx(table)
    content_type = ("text/csv; charset=utf-8" if kind == "csv" else
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="shelter-budget-{year}.{kind}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@guarded_by(access.access_export)
def export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")


@guarded_by(access.access_export)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx")


def _funders_page(request: HttpRequest, status: int = 200, **forms) -> HttpResponse:
    year, _round = _filters(request)
    forms.setdefault("form", FunderForm())
    return render(request, "budget/funders.html", {
        "funders": selectors.funders(request.user), "year": year,
        "budgets": selectors.funder_budgets(request.user, year),
        "budget_form": FunderBudgetForm(initial={"year": year}), **forms}, status=status)


@guarded_by(access.access_funders)
def funders(request: HttpRequest) -> HttpResponse:
    """The funders and their budgets of a year; POST adds a funder."""
    access.access_funders(request)
    if request.method != "POST":
        return _funders_page(request)
    form = FunderForm(request.POST)
    if not form.is_valid():
        return _funders_page(request, 400, form=form)
    services.funder_create(acting_user=request.user, **form.service_values())
    messages.success(request, _("The funder is added."))
    return redirect("budget:funders")


@guarded_by(access.access_funders)
def funder_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    funder = access.access_funders(request, pk)
    form = FunderForm(request.POST or None, funder=funder, initial=FunderForm.initial_for(funder))
    if request.method == "POST" and form.is_valid():
        services.funder_update(funder=funder, acting_user=request.user, **form.service_values())
        messages.success(request, _("The funder is changed."))
        return redirect("budget:funders")
    return render(request, "budget/funder_form.html", {"funder": funder, "form": form},
                  status=400 if request.method == "POST" else 200)


@require_POST
@guarded_by(access.access_funders)
def funder_budget(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    funder = access.access_funders(request, pk)
    form = FunderBudgetForm(request.POST)
    if not form.is_valid():
        return _funders_page(request, 400, budget_form=form, budget_funder=funder)
    services.funder_budget_set(funder=funder, year=form.cleaned_data["year"],
                               amount=form.cleaned_data["amount"], acting_user=request.user)
    messages.success(request, _("The yearly budget is set."))
    return redirect(f"{reverse('budget:funders')}?year={form.cleaned_data['year']}")
