"""Writes to the budget: each function is one business event, and the only place it changes.

Keyword-only arguments, `acting_user`, one transaction, the audit record inside it. The facts
are ids, codes and counts, never an amount, a description or a reference: amounts are not
personal data, but the log stays free of values altogether. Services assume the caller checked
permission with `budget.policies` (the views' guards do).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from budget import schedule
from budget.choices import Category, PaymentStatus, cents
from budget.models import BudgetLine, Funder, FunderBudget, Payment
from cases.models import Case
from shelter import audit
from shelter.accounts.models import User
from shelter.audit import Action

LINE_FIELDS = ("category", "funder", "planned_amount", "planned_on", "description")
PAYMENT_FIELDS = ("line", "due_on", "paid_on", "amount", "method", "reference", "status")
FUNDER_FIELDS = ("code", "name", "active", "order")
MAX_AMOUNT = Decimal("9999999999.99")  # DecimalField(12, 2)


class BudgetError(Exception):
    """A budget change that cannot be made; `message` is translated, for users."""

    def __init__(self, message: Any) -> None:
        self.message = str(message)
        super().__init__(self.message)


def _assign(obj: Any, values: dict[str, Any], allowed: tuple[str, ...]) -> list[str]:
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    changed = []
    for name, value in values.items():
        if name in ("planned_amount", "amount") and value is not None:
            value = cents(value)
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return sorted(changed)


# --- lines ----------------------------------------------------------------------------------
@transaction.atomic
def budget_line_create(*, case: Case, acting_user: User | None, category: str, funder: Funder,
                       planned_amount: Decimal, planned_on: datetime.date,
                       description: str = "") -> BudgetLine:
    """Add a planned cost to `case`."""
    line = BudgetLine(case=case, category=category, funder=funder,
                      planned_amount=cents(planned_amount), planned_on=planned_on,
                      description=description or None)
    line.save()
    audit.record(acting_user, Action.BUDGET_LINE_CREATE, line, section="budget",
                 case=case, category=category, funder=funder.code)
    return line


@transaction.atomic
def budget_line_update(*, line: BudgetLine, acting_user: User | None,
                       **values: Any) -> BudgetLine:
    """Change a line; records the names of the changed fields."""
    if "description" in values:
        values["description"] = values["description"] or None
    fields = _assign(line, values, LINE_FIELDS)
    if fields:
        line.save(update_fields=[*fields, "updated_at"])
    audit.record(acting_user, Action.BUDGET_LINE_CHANGE, line, section="budget",
                 case=line.case_id, fields=fields)
    return line


@transaction.atomic
def budget_line_delete(*, line: BudgetLine, acting_user: User | None) -> None:
    """Remove a line that no payment belongs to (payments keep their history)."""
    if Payment.objects.filter(line_id=line.pk).exists():
        raise BudgetError(_("Payments belong to this line: change or cancel them, the line "
                            "stays."))
    line_id, case_id = line.pk, line.case_id
    BudgetLine.objects.filter(pk=line_id).delete()
    audit.record(acting_user, Action.BUDGET_LINE_DELETE, ("budget.budgetline", line_id),
                 section="budget", case=case_id)


# --- payments -------------------------------------------------------------------------------
def _check_payment(case: Case, line: BudgetLine | None, status: str,
                   paid_on: datetime.date | None) -> None:
    if line is not None and line.case_id != case.pk:
        raise BudgetError(_("This line belongs to another case."))
    if status == PaymentStatus.PAID and paid_on is None:
        raise BudgetError(_("A paid payment needs the day it was paid."))


@transaction.atomic
def payment_record(*, case: Case, acting_user: User | None, due_on: datetime.date,
                   amount: Decimal, line: BudgetLine | None = None,
                   paid_on: datetime.date | None = None, method: str = "bank_transfer",
                   reference: str = "", status: str = PaymentStatus.SCHEDULED) -> Payment:
    """Record a payment of `case` (scheduled, or paid with its day)."""
    if status == PaymentStatus.CANCELLED:
        raise BudgetError(_("A new payment is scheduled or paid."))
    _check_payment(case, line, status, paid_on)
    payment = Payment(case=case, line=line, due_on=due_on, paid_on=paid_on,
                      amount=cents(amount), method=method, reference=reference or None,
                      status=status, created_by=acting_user)
    payment.save()
    audit.record(acting_user, Action.PAYMENT_RECORD, payment, section="payments", case=case,
                 status=status, line_id=line.pk if line else None)
    return payment


def _locked_payment(payment: Payment) -> Payment:
    current = Payment.objects.select_for_update().get(pk=payment.pk)
    if current.status == PaymentStatus.CANCELLED:
        raise BudgetError(_("A cancelled payment cannot be changed."))
    return current


@transaction.atomic
def payment_update(*, payment: Payment, acting_user: User | None, **values: Any) -> Payment:
    """Change a payment that is not cancelled (mark it paid, correct its amount …)."""
    _locked_payment(payment)
    if "reference" in values:
        values["reference"] = values["reference"] or None
    if values.get("status") == PaymentStatus.CANCELLED:
        raise BudgetError(_("Cancel a payment with its own button."))
    if values.get("status", payment.status) == PaymentStatus.SCHEDULED:
        values["paid_on"] = None  # back to scheduled: it was not paid on any day
    fields = _assign(payment, values, PAYMENT_FIELDS)
    _check_payment(payment.case, payment.line, payment.status, payment.paid_on)
    if fields:
        payment.save(update_fields=[*fields, "updated_at"])
    audit.record(acting_user, Action.PAYMENT_CHANGE, payment, section="payments",
                 case=payment.case_id, fields=fields, status=payment.status)
    return payment


@transaction.atomic
def payment_cancel(*, payment: Payment, acting_user: User | None) -> Payment:
    """Cancel a scheduled or paid payment; it stays in the list, marked cancelled."""
    _locked_payment(payment)
    before = payment.status
    payment.status = PaymentStatus.CANCELLED
    payment.save(update_fields=["status", "updated_at"])
    audit.record(acting_user, Action.PAYMENT_CANCEL, payment, section="payments",
                 case=payment.case_id, status_before=before)
    return payment


# --- the allowance schedule -----------------------------------------------------------------
@dataclass(frozen=True)
class ScheduleResult:
    line: BudgetLine
    created: int
    kept: int
    cancelled: int
    differences: list[schedule.Difference]


def stay_of(case: Case) -> tuple[datetime.date | None, datetime.date | None]:
    """The stay the allowance is paid for: actual arrival else planned, to actual departure
    else planned (both days included)."""
    return (case.actual_arrival or case.planned_arrival,
            case.actual_departure or case.planned_departure)


def _allowance_line(case: Case, funder: Funder, total: Decimal,
                    start: datetime.date) -> BudgetLine:
    line = (BudgetLine.objects.filter(case_id=case.pk, category=Category.ALLOWANCE,
                                      funder=funder).order_by("created_at").first())
    if line is None:
        line = BudgetLine(case=case, category=Category.ALLOWANCE, funder=funder)
    line.planned_amount, line.planned_on = total, start
    line.save()
    return line


@transaction.atomic
def allowance_schedule(*, case: Case, acting_user: User | None, rate: Decimal,
                       funder: Funder) -> ScheduleResult:
    """(Re)generate the monthly allowance of `case` as scheduled payments from its stay at
    `rate` a month, on the case's allowance line of `funder` (made if missing, its planned
    amount set to the schedule's total). Paid payments stay; scheduled ones that no longer
    match are cancelled and replaced; months where the paid amount differs are reported.
    Raises BudgetError when the stay has no dates."""
    start, end = stay_of(case)
    try:
        new = schedule.monthly_schedule(start, end, cents(rate))
    except schedule.InvalidStay as error:
        raise BudgetError(_("The stay needs an arrival and a departure (planned or actual), "
                            "the departure not before the arrival.")) from error
    list(Case.objects.select_for_update().filter(pk=case.pk).values_list("pk"))  # one writer
    existing = list(Payment.objects.filter(case_id=case.pk, allowance=True)
                    .exclude(status=PaymentStatus.CANCELLED))
    plan = schedule.plan_regeneration(
        [schedule.Existing(p.pk, p.due_on, p.amount, p.status == PaymentStatus.PAID)
         for p in existing], new)
    total = sum((i.amount for i in new), Decimal("0.00"))
    if total > MAX_AMOUNT:
        raise BudgetError(_("The schedule's total is larger than an amount can be."))
    line = _allowance_line(case, funder, total, start)
    cancel = [e.id for e in plan.cancel]
    Payment.objects.filter(pk__in=cancel).update(status=PaymentStatus.CANCELLED)
    for item in plan.create:
        Payment(case=case, line=line, due_on=item.due_on, amount=item.amount,
                status=PaymentStatus.SCHEDULED, allowance=True, created_by=acting_user).save()
    audit.record(acting_user, Action.ALLOWANCE_SCHEDULE, case, section="payments",
                 line_id=line.pk, months=len(new), created=len(plan.create),
                 kept=len(plan.keep), cancelled=len(cancel), differences=len(plan.differences))
    return ScheduleResult(line, len(plan.create), len(plan.keep), len(cancel),
                          plan.differences)


# --- funders and yearly budgets -------------------------------------------------------------
@transaction.atomic
def funder_create(*, acting_user: User | None, code: str, name: str, active: bool = True,
                  order: int = 50) -> Funder:
    """Add a funder (an organisation)."""
    funder = Funder(code=code, name=name, active=active, order=order)
    funder.save()
    audit.record(acting_user, Action.FUNDER_CREATE, funder, section="budget", code=code)
    return funder


@transaction.atomic
def funder_update(*, funder: Funder, acting_user: User | None, **values: Any) -> Funder:
    """Change a funder; one in use is deactivated (`active=False`), never deleted."""
    fields = _assign(funder, values, FUNDER_FIELDS)
    if fields:
        funder.save(update_fields=fields)
    audit.record(acting_user, Action.FUNDER_CHANGE, funder, section="budget", fields=fields,
                 active=funder.active)
    return funder


@transaction.atomic
def funder_budget_set(*, funder: Funder, year: int, amount: Decimal | None,
                      acting_user: User | None) -> FunderBudget | None:
    """Set (or with `amount=None` clear) `funder`'s budget for `year`."""
    if amount is None:
        FunderBudget.objects.filter(funder=funder, year=year).delete()
        found = None
    else:
        found, _created = FunderBudget.objects.update_or_create(
            funder=funder, year=year, defaults={"amount": cents(amount)})
    audit.record(acting_user, Action.FUNDER_BUDGET_SET, funder, section="budget", year=year,
                 cleared=amount is None)
    return found
