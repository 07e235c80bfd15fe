"""Reads of the budget; each takes the user and returns only what that user may see. Never
writes. Sums are computed by the database over plain columns (category, funder, amounts,
dates): no sealed value is decrypted for a total. Every database sum is
quantized to cents again (`cents`): SQLite adds decimals as floating point."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum

from budget import export, policies
from budget.choices import Category, PaymentStatus, cents
from budget.models import BudgetLine, Funder, FunderBudget, Payment
from cases.selectors import visible_cases

if TYPE_CHECKING:
    from cases.models import Case
    from shelter.accounts.models import User

ZERO = Decimal("0.00")
UNALLOCATED = ""  # the bucket of paid payments that belong to no line


# --- one case -------------------------------------------------------------------------------
def case_lines(user: User, case: Case) -> list[BudgetLine]:
    """The case's budget lines (with their funders), for whoever may see its budget."""
    if not policies.can_view_budget(user, case):
        return []
    return list(BudgetLine.objects.filter(case_id=case.pk).select_related("funder"))


def case_payments(user: User, case: Case) -> list[Payment]:
    """The case's payments, cancelled ones included: coordinators and the assigned officer."""
    if not policies.can_view_payments(user, case):
        return []
    return list(Payment.objects.filter(case_id=case.pk).select_related("line"))


def line_choices(case: Case) -> QuerySet[BudgetLine]:
    """The lines a payment of `case` may belong to (the payment form's choices; the guard has
    decided that the user may change the case's payments)."""
    return BudgetLine.objects.filter(case_id=case.pk).select_related("funder")


def line_get_for(user: User, case: Case, line_id: uuid.UUID | str) -> BudgetLine | None:
    if not policies.can_view_budget(user, case):
        return None
    return BudgetLine.objects.filter(case_id=case.pk, pk=line_id).select_related(
        "funder").first()


def payment_get_for(user: User, case: Case, payment_id: uuid.UUID | str) -> Payment | None:
    if not policies.can_view_payments(user, case):
        return None
    return Payment.objects.filter(case_id=case.pk, pk=payment_id).first()


@dataclass
class Row:
    """Planned, actual (paid) and their difference (planned - actual) for one label."""

    label: Any
    planned: Decimal = ZERO
    actual: Decimal = ZERO
    key: str = ""

    @property
    def difference(self) -> Decimal:
        return self.planned - self.actual


@dataclass
class CaseBudget:
    categories: list[Row] = field(default_factory=list)
    funders: list[Row] = field(default_factory=list)
    total: Row = field(default_factory=lambda: Row(""))
    unallocated: Decimal = ZERO  # paid without a line


def case_budget(lines: list[BudgetLine], payments: list[Payment]) -> CaseBudget:
    """Totals of a case per category and per funder, from its lines and (paid) payments."""
    paid_by_line: dict[Any, Decimal] = defaultdict(lambda: ZERO)
    unallocated = ZERO
    for payment in payments:
        if payment.status == PaymentStatus.PAID:
            if payment.line_id is None:
                unallocated += payment.amount
            else:
                paid_by_line[payment.line_id] += payment.amount
    categories: dict[str, Row] = {}
    funders: dict[str, Row] = {}
    for line in lines:
        for bucket, key, label in ((categories, line.category, line.get_category_display()),
                                   (funders, line.funder.code, line.funder.name)):
            row = bucket.setdefault(key, Row(label, key=key))
            row.planned += line.planned_amount
            row.actual += paid_by_line[line.pk]
    order = list(Category.values)
    total = Row("", sum((r.planned for r in categories.values()), ZERO),
                sum((r.actual for r in categories.values()), ZERO) + unallocated)
    return CaseBudget(sorted(categories.values(), key=lambda r: order.index(r.key)),
                      list(funders.values()), total, unallocated)


# --- funders and the overview ---------------------------------------------------------------
def funders(user: User, *, active_only: bool = False, keep: Any = None) -> QuerySet[Funder]:
    """Funders, to choose one on a line (staff) or manage them (coordinators); with
    `active_only`, the active ones and the one `keep` names (a line's current funder)."""
    if user is None or not user.is_authenticated:
        return Funder.objects.none()
    found = Funder.objects.all()
    return found.filter(Q(active=True) | Q(pk=keep)) if active_only else found


def funder_budgets(user: User, year: int) -> dict[int, Decimal]:
    """{funder id: amount} of `year`'s budgets: coordinators."""
    if not policies.can_manage_funders(user):
        return {}
    return dict(FunderBudget.objects.filter(year=year).values_list("funder_id", "amount"))


def funder_budgets_by_code(user: User, year: int) -> dict[str, Decimal]:
    """{funder code: amount} of `year`'s budgets: coordinators."""
    if not policies.can_manage_funders(user):
        return {}
    return dict(FunderBudget.objects.filter(year=year).values_list("funder__code", "amount"))


def _scope(user: User, intake_round: Any) -> QuerySet:
    cases = visible_cases(user) if policies.can_view_overview(user) else visible_cases(None)
    return cases.filter(intake_round=intake_round) if intake_round is not None else cases


def planned_by(user: User, year: int, intake_round: Any = None) -> dict[tuple[str, str], tuple]:
    """{(funder code, category): (planned, residencies)} of lines planned in `year`."""
    rows = (BudgetLine.objects.filter(planned_on__year=year, case__in=_scope(user, intake_round))
            .order_by().values_list("funder__code", "category")
            .annotate(total=Sum("planned_amount"), cases=Count("case", distinct=True)))
    return {(f, c): (cents(total), n) for f, c, total, n in rows}


def actual_by(user: User, year: int, intake_round: Any = None) -> dict[tuple[str, str], tuple]:
    """{(funder code, category): (paid, residencies)} of payments paid in `year`; payments on
    no line under ("", "")."""
    rows = (Payment.objects.filter(status=PaymentStatus.PAID, paid_on__year=year,
                                   case__in=_scope(user, intake_round))
            .order_by().values_list("line__funder__code", "line__category")
            .annotate(total=Sum("amount"), cases=Count("case", distinct=True)))
    return {(f or UNALLOCATED, c or UNALLOCATED): (cents(total), n)
            for f, c, total, n in rows}


def cell_cases(user: User, year: int, intake_round: Any = None) -> dict[tuple[str, str], set]:
    """{(funder code, category): case ids} behind each cell, planned or paid in `year` (the
    export's small-count rule counts residencies, not lines)."""
    scope = _scope(user, intake_round)
    found: dict[tuple[str, str], set] = defaultdict(set)
    for f, c, case_id in (BudgetLine.objects.filter(planned_on__year=year, case__in=scope)
                          .values_list("funder__code", "category", "case_id").distinct()):
        found[(f, c)].add(case_id)
    for f, c, case_id in (Payment.objects.filter(status=PaymentStatus.PAID, paid_on__year=year,
                                                 case__in=scope)
                          .values_list("line__funder__code", "line__category", "case_id")
                          .distinct()):
        found[(f or UNALLOCATED, c or UNALLOCATED)].add(case_id)
    return found


@dataclass
class FunderRow(Row):
    budget: Decimal | None = None

    @property
    def over_budget(self) -> bool:
        """Paid more than the yearly budget (equal is not over)."""
        return self.budget is not None and self.actual > self.budget

    @property
    def planned_over_budget(self) -> bool:
        """Planned more than the yearly budget (a softer warning)."""
        return self.budget is not None and self.planned > self.budget


def overview(user: User, year: int, intake_round: Any = None) -> dict[str, Any]:
    """Planned against actual per funder (with its yearly budget and warnings) and per
    category for `year` (and one intake round): coordinators; empty for anyone else."""
    if not policies.can_view_overview(user):
        return {"funders": [], "categories": [], "total": Row(""), "cases": 0}
    planned, actual = planned_by(user, year, intake_round), actual_by(user, year, intake_round)
    budgets = funder_budgets(user, year)
    codes = {f for f, _c in (*planned, *actual)}
    shown = [f for f in Funder.objects.all() if f.active or f.code in codes]
    funder_rows = [FunderRow(f.name, key=f.code, budget=budgets.get(f.pk),
                             planned=sum((v[0] for (fc, _c), v in planned.items()
                                          if fc == f.code), ZERO),
                             actual=sum((v[0] for (fc, _c), v in actual.items()
                                         if fc == f.code), ZERO)) for f in shown]
    category_rows = [Row(label, key=value,
                         planned=sum((v[0] for (_f, c), v in planned.items() if c == value),
                                     ZERO),
                         actual=sum((v[0] for (_f, c), v in actual.items() if c == value),
                                    ZERO)) for value, label in Category.choices]
    unallocated = actual.get((UNALLOCATED, UNALLOCATED), (ZERO, 0))[0]
    total = Row("", sum((r.planned for r in category_rows), ZERO),
                sum((r.actual for r in category_rows), ZERO) + unallocated)
    scope = _scope(user, intake_round)
    cases = scope.filter(Q(budget_lines__planned_on__year=year)
                         | Q(payments__status=PaymentStatus.PAID,
                           payments__paid_on__year=year)).distinct().count()
    return {"funders": funder_rows, "categories": category_rows, "total": total,
            "unallocated": unallocated, "cases": cases}


def funder_export(user: User, year: int, intake_round: Any = None) -> list[list[Any]]:
    """The funder export's rows (`budget.export`): coordinators; nothing for anyone else."""
    if not policies.can_view_overview(user):
        return []
    data = export.tables(list(funders(user)), planned_by(user, year, intake_round),
                         actual_by(user, year, intake_round),
                         cell_cases(user, year, intake_round),
                         funder_budgets_by_code(user, year))
    return export.rows(data, year, intake_round.name if intake_round else "")
