"""The guards of the budget pages: one per object type, each the only way its views get it.

A case's budget is a section of the case: `access_case_budget` asks `cases.access.access_case`
for the section "budget" (404, recorded, for anyone who may not see it; a read recorded as one
entry) and then the budget policies. Writes need `can_change_budget` (403, recorded, for
someone who may see the budget but not change it). Payments are a secret within the section:
a payment route answers 404 to anyone who may not see payments. The overview, funders and
the export answer 404 to everyone but coordinators. Writes are recorded by the services.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from budget import policies, selectors
from budget.models import BudgetLine, Funder, Payment
from cases import access as case_access
from cases.models import Case, IntakeRound
from shelter import audit
from shelter.access import guard
from shelter.audit import Action
from shelter.audit.web import mark_audited, record_refusal

CASE = "cases.case"
OVERVIEW = "budget.overview"


def _refuse(request: HttpRequest, target_type: str, target_id: object,
            section: str = "budget") -> Http404:
    record_refusal(request, target_type, target_id, section=section)
    return Http404()


@guard
def access_case_budget(request: HttpRequest, pk: uuid.UUID | str, *,
                       write: bool = False) -> Case:
    """The case for its Budget tab (recorded as a read of "budget", and of "payments" when
    they are shown), or for a change to its budget (`write`: 403 for a user who may see the
    budget but not change it)."""
    case = case_access.access_case(request, pk, "budget", write=write)
    if request.method == "GET" and policies.can_view_payments(request.user, case):
        audit.record(request.user, Action.CASE_VIEW_SECTION, case, section="payments",
                     sections=["payments"])
    if write and not policies.can_change_budget(request.user, case):
        record_refusal(request, CASE, case.pk, section="budget", reason="read_only")
        raise PermissionDenied
    return case


@guard
def access_line(request: HttpRequest, pk: uuid.UUID | str,
                line_id: uuid.UUID | str) -> BudgetLine:
    """A budget line of case `pk`, to change or remove it."""
    case = access_case_budget(request, pk, write=True)
    line = selectors.line_get_for(request.user, case, line_id)
    if line is None:
        raise _refuse(request, "budget.budgetline", line_id)
    line.case = case
    return line


@guard
def access_payment(request: HttpRequest, pk: uuid.UUID | str,
                   payment_id: uuid.UUID | str) -> Payment:
    """A payment of case `pk`, to change or cancel it: coordinators and the assigned officer
    (404 for everyone else, who may not know the payment exists)."""
    case = access_case_budget(request, pk)
    payment = selectors.payment_get_for(request.user, case, payment_id)
    if payment is None:
        raise _refuse(request, "budget.payment", payment_id, "payments")
    if not policies.can_change_budget(request.user, case):
        record_refusal(request, CASE, case.pk, section="payments", reason="read_only")
        raise PermissionDenied
    payment.case = case
    return payment


@guard
def access_payments(request: HttpRequest, pk: uuid.UUID | str) -> Case:
    """Recording a payment or generating the allowance of case `pk`: 404 for those who may
    not see payments, 403 for those who may see them but not change the case."""
    case = access_case_budget(request, pk)
    if not policies.can_view_payments(request.user, case):
        raise _refuse(request, CASE, case.pk, "payments")
    if not policies.can_change_budget(request.user, case):
        record_refusal(request, CASE, case.pk, section="payments", reason="read_only")
        raise PermissionDenied
    return case


@guard
def access_overview(request: HttpRequest, page: str | None = None, **facts: object) -> None:
    """The overview (its chart) and the export: coordinators; a `page` is recorded as a read
    of the overview with `facts` (year, round id), the export records its own entry."""
    if not policies.can_view_overview(request.user):
        raise _refuse(request, OVERVIEW, None)
    if page is not None:
        audit.record(request.user, Action.BUDGET_OVERVIEW_VIEW, (OVERVIEW, None),
                     section="budget", page=page, **facts)
    mark_audited(request)


@guard
def access_export(request: HttpRequest, year: int, intake_round: IntakeRound | None,
                  kind: str) -> list[list]:
    """The funder export of `year` (and one round) as rows (aggregates only, small counts
    folded: `budget.export`), recorded as one export: coordinators."""
    access_overview(request)
    table = selectors.funder_export(request.user, year, intake_round)
    audit.record(request.user, Action.BUDGET_EXPORT, (OVERVIEW, None), section="budget",
                 format=kind, rows=len(table), year=year,
                 round_id=intake_round.pk if intake_round else None)
    return table


@guard
def access_funders(request: HttpRequest, funder_id: uuid.UUID | str | None = None) -> Funder | None:
    """The funders page and its forms: coordinators; with `funder_id`, that funder (404)."""
    if not policies.can_manage_funders(request.user):
        raise _refuse(request, "budget.funder", funder_id)
    mark_audited(request)
    if funder_id is None:
        return None
    funder = Funder.objects.filter(pk=funder_id).first()
    if funder is None:
        raise _refuse(request, "budget.funder", funder_id)
    return funder
