"""budget.demo.seed: yearly budgets, lines, allowance schedules and some paid payments for
the demo cases, once."""

from __future__ import annotations

import io

from budget import demo
from budget.models import BudgetLine, FunderBudget, Payment
from cases import demo as case_demo
from tests.factories import ensure_funders


def test_seed_budgets_the_demo_cases_once(db, carla):
    ensure_funders()
    out = io.StringIO()
    case_demo.seed(out)
    demo.seed(out)
    assert FunderBudget.objects.count() == len(demo.BUDGETS)
    assert BudgetLine.objects.filter(category="allowance").exists()
    assert Payment.objects.filter(status="paid").exists()
    assert Payment.objects.filter(status="scheduled").exists()
    counts = (BudgetLine.objects.count(), Payment.objects.count())
    demo.seed(out)
    assert (BudgetLine.objects.count(), Payment.objects.count()) == counts
    assert "0 yearly budgets set, 0 cases budgeted" in out.getvalue()
