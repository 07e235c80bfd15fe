"""Demo budget for `manage.py seed_demo`: this year's budgets per funder, and for each demo case
with stay dates a few lines (in Dutch, invented), its allowance schedule and the payments due so
far marked paid. Idempotent: existing yearly budgets are kept, cases that already have budget
lines are skipped."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.conf import settings

from budget import services
from budget.models import BudgetLine, Funder, FunderBudget, Payment
from cases.models import Case
from shelter.accounts.models import User

BUDGETS = {"municipality": "40000.00", "national_coordinator": "25000.00",
           "ministry_foreign_affairs": "15000.00", "protectdefenders": "5000.00"}
# category, funder code, amount, description (invented)
LINES = [
    ("travel", "national_coordinator", "850.00", "Vlucht heen en terug (economy)"),
    ("visa_passport", "national_coordinator", "120.00", "Visumaanvraag en legalisatie"),
    ("insurance", "ministry_foreign_affairs", "95.00", "Reis- en ziektekostenverzekering"),
    ("programme", "municipality", "250.00", "Training digitale veiligheid"),
]


def _budgets(carla: User | None, year: int) -> int:
    made = 0
    for code, amount in BUDGETS.items():
        funder = Funder.objects.filter(code=code).first()
        if funder and not FunderBudget.objects.filter(funder=funder, year=year).exists():
            services.funder_budget_set(funder=funder, year=year, amount=Decimal(amount),
                                       acting_user=carla)
            made += 1
    return made


def _case_budget(case: Case, carla: User | None, today: datetime.date) -> None:
    start, end = services.stay_of(case)
    for category, code, amount, description in LINES:
        line = services.budget_line_create(
            case=case, acting_user=carla, category=category, funder=Funder.objects.get(code=code),
            planned_amount=Decimal(amount), planned_on=start, description=description)
        if category == "travel" and start <= today:
            services.payment_record(case=case, acting_user=carla, line=line, due_on=start,
                                    paid_on=start, amount=Decimal(amount) - Decimal("12.35"),
                                    method="bank_transfer", status="paid",
                                    reference="Demo-boeking (verzonnen)")
    services.allowance_schedule(case=case, acting_user=carla,
                                rate=Decimal(settings.SHELTER_MONTHLY_ALLOWANCE),
                                funder=Funder.objects.get(code="municipality"))
    for payment in Payment.objects.filter(case=case, allowance=True, status="scheduled",
                                          due_on__lte=today):
        services.payment_update(payment=payment, acting_user=carla, status="paid",
                                paid_on=payment.due_on)


def seed(stdout: io.TextIOBase) -> None:
    carla = User.objects.filter(email="carla@demo.shelter.test").first()
    today = datetime.date.today()
    made = _budgets(carla, today.year)
    cases = 0
    for case in Case.objects.filter(shredded_at__isnull=True).select_related("defender"):
        start, end = services.stay_of(case)
        if start is None or end is None or end < start:
            continue
        if BudgetLine.objects.filter(case=case).exists():
            continue
        _case_budget(case, carla, today)
        cases += 1
    stdout.write(f"Demo budget: {made} yearly budgets set, {cases} cases budgeted.")
