"""Regenerating the allowance after the stay's dates moved keeps paid payments, replaces the
still-scheduled ones that no longer fit, and says which paid months now differ."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from budget import services
from budget.models import Payment
from cases.models import Case
from tests.factories import funder

D = datetime.date


def _stay(case, start, end, actual=False):
    fields = ({"actual_arrival": start, "actual_departure": end} if actual
              else {"planned_arrival": start, "planned_departure": end})
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()


def _generate(case, user):
    return services.allowance_schedule(case=case, acting_user=user, rate=Decimal("1000"),
                                       funder=funder("municipality"))


def test_regeneration_keeps_paid_payments_and_replaces_scheduled_ones(carla, case):
    _stay(case, D(2027, 1, 15), D(2027, 4, 14))
    _generate(case, carla)
    january = Payment.objects.get(case=case, due_on=D(2027, 1, 15))
    services.payment_update(payment=january, acting_user=carla, status="paid",
                            paid_on=D(2027, 1, 15))
    _stay(case, D(2027, 1, 15), D(2027, 5, 14))  # two more weeks: April full, half of May
    result = _generate(case, carla)
    assert (result.created, result.kept, result.cancelled) == (2, 3, 1)
    assert result.differences == []
    active = Payment.objects.filter(case=case).exclude(status="cancelled").order_by("due_on")
    assert [(p.due_on, p.amount, p.status) for p in active] == [
        (D(2027, 1, 15), Decimal("548.39"), "paid"),
        (D(2027, 2, 1), Decimal("1000.00"), "scheduled"),
        (D(2027, 3, 1), Decimal("1000.00"), "scheduled"),
        (D(2027, 4, 1), Decimal("1000.00"), "scheduled"),
        (D(2027, 5, 1), Decimal("451.61"), "scheduled")]
    assert Payment.objects.filter(case=case, status="cancelled").count() == 1  # stays


def test_actual_dates_win_and_a_paid_month_that_moved_is_reported(carla, case):
    _stay(case, D(2027, 1, 15), D(2027, 4, 14))
    _generate(case, carla)
    for payment in Payment.objects.filter(case=case, due_on__lt=D(2027, 3, 1)):
        services.payment_update(payment=payment, acting_user=carla, status="paid",
                                paid_on=payment.due_on)
    _stay(case, D(2027, 2, 15), D(2027, 4, 14), actual=True)  # arrived a month late
    result = _generate(case, carla)
    assert [(d.month, d.paid, d.planned) for d in result.differences] == [
        ((2027, 1), Decimal("548.39"), Decimal("0.00")),
        ((2027, 2), Decimal("1000.00"), Decimal("500.00"))]
    assert Payment.objects.filter(case=case, status="paid").count() == 2  # untouched


def test_running_it_twice_changes_nothing(carla, case):
    _stay(case, D(2027, 1, 15), D(2027, 4, 14))
    _generate(case, carla)
    result = _generate(case, carla)
    assert (result.created, result.kept, result.cancelled) == (0, 4, 0)
    assert Payment.objects.filter(case=case).count() == 4


def test_a_schedule_too_large_to_store_is_refused(carla, case):
    _stay(case, D(2027, 1, 1), D(2027, 12, 31))
    with pytest.raises(services.BudgetError):
        services.allowance_schedule(case=case, acting_user=carla,
                                    rate=Decimal("9999999999.99"),
                                    funder=funder("municipality"))
    assert not Payment.objects.exists()
