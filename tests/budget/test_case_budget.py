"""A case's Budget tab: who sees lines and payments, who writes, what every write records,
and bad input that changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from budget import policies, services
from budget.forms import LineForm
from budget.models import BudgetLine, Funder, Payment
from cases.models import Case
from shelter.audit import Action
from tests.factories import (
    funder,
    head_seq,
    make_case,
    make_line,
    make_paid,
    make_share,
    make_user,
    recorded,
)
from tests.rawscan import tables_containing

DESCRIPTION, REFERENCE = "Flight for Ana María Pérez", "KLM-BOOKING-ZX81Q"


@pytest.fixture
def budget(case, carla):
    line = make_line(case, carla, category="travel", amount="640.00", description=DESCRIPTION)
    paid = make_paid(case, carla, line, amount="612.40", reference=REFERENCE)
    return {"line": line, "paid": paid}


def page(client, case):
    return client.get(reverse("budget:case", args=[case.pk]))


def test_the_assigned_officer_sees_lines_payments_and_differences(as_user, olaf, case, budget):
    response = page(as_user(olaf), case)
    html = response.content.decode()
    assert response.status_code == 200
    assert DESCRIPTION in html and REFERENCE in html
    assert 'data-marker="payments"' in html
    assert "27.60" in html  # 640.00 planned - 612.40 paid


def test_an_unassigned_officer_sees_lines_but_no_payments(as_user, otto, case, budget):
    html = page(as_user(otto), case).content.decode()
    assert DESCRIPTION in html
    assert REFERENCE not in html and 'data-marker="payments"' not in html
    assert "612.40" not in html  # no actual amounts either


def test_a_partner_with_a_budget_share_sees_lines_not_payments(as_user, carla, pia, case,
                                                               budget):
    make_share(case, carla, user=pia, sections=["budget"])
    response = page(as_user(pia), case)
    html = response.content.decode()
    assert response.status_code == 200 and "640.00" in html  # the planned line
    assert DESCRIPTION not in html  # a description may name a person: staff only
    assert REFERENCE not in html and "612.40" not in html
    assert "Add a budget line" not in html


def test_a_partner_without_a_budget_share_gets_404(as_user, carla, pia, case, budget):
    make_share(case, carla, user=pia, sections=["identity", "residency"])
    since = head_seq()
    assert page(as_user(pia), case).status_code == 404
    assert [e.outcome for e in recorded(since, Action.REFUSED)] == ["refused"]


def test_an_auditor_is_refused(as_user, aud, case, budget):
    assert page(as_user(aud), case).status_code == 404
    assert as_user(aud).get(reverse("budget:overview")).status_code == 404


def test_payment_routes_are_404_for_who_may_not_see_payments(as_user, carla, otto, pia, case,
                                                             budget):
    make_share(case, carla, user=pia, sections=["budget"])
    url = reverse("budget:payment", args=[case.pk, budget["paid"].pk])
    for user in (otto, pia):
        assert as_user(user).get(url).status_code == 404
        assert as_user(user).post(reverse("budget:payment_add", args=[case.pk]),
                                  {}).status_code == 404


def test_an_unassigned_officer_may_not_write_lines(as_user, otto, case, budget):
    response = as_user(otto).post(reverse("budget:line_add", args=[case.pk]), {})
    assert response.status_code == 403
    assert BudgetLine.objects.count() == 1


def _line_data(**changes):
    data = {"line-category": "insurance", "line-funder": funder("ministry_foreign_affairs").pk,
            "line-planned_amount": "250.50", "line-planned_on": "2027-03-01",
            "line-description": ""}
    return {**data, **changes}


def test_adding_a_line_is_audited_without_values(as_user, olaf, case):
    since = head_seq()
    response = as_user(olaf).post(reverse("budget:line_add", args=[case.pk]), _line_data(
        **{"line-description": DESCRIPTION}))
    assert response.status_code == 302
    line = BudgetLine.objects.get()
    assert line.planned_amount == Decimal("250.50") and line.description == DESCRIPTION
    [event] = recorded(since, Action.BUDGET_LINE_CREATE)
    assert event.case_id == str(case.pk)
    assert "250" not in str(event.facts) and "Ana" not in str(event.facts)
    assert event.facts["funder"] == "ministry_foreign_affairs"


@pytest.mark.parametrize("amount", ["-1", "abc", "12.345", "1e3x", ""])
def test_bad_amounts_are_form_errors_and_change_nothing(as_user, olaf, case, amount):
    since = head_seq()
    response = as_user(olaf).post(reverse("budget:line_add", args=[case.pk]),
                                  _line_data(**{"line-planned_amount": amount}))
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert not BudgetLine.objects.exists()
    assert not recorded(since, Action.BUDGET_LINE_CREATE)


@pytest.mark.parametrize("amount", ["-5", "x", "10.001"])
def test_bad_payment_amounts_change_nothing(as_user, olaf, case, amount):
    response = as_user(olaf).post(reverse("budget:payment_add", args=[case.pk]), {
        "payment-due_on": "2027-01-01", "payment-amount": amount, "payment-status": "scheduled",
        "payment-method": "bank_transfer"})
    assert response.status_code == 400
    assert not Payment.objects.exists()


def test_a_dutch_amount_with_a_comma_is_understood(olaf, case):
    with translation.override("nl"):
        form = LineForm(_line_data(**{"line-planned_amount": "12,50",
                                      "line-planned_on": "01-03-2027"}),
                        funders=Funder.objects.all(), prefix="line")
        assert form.is_valid(), form.errors
    assert form.cleaned_data["planned_amount"] == Decimal("12.50")


def test_a_paid_payment_needs_its_day(as_user, olaf, case):
    response = as_user(olaf).post(reverse("budget:payment_add", args=[case.pk]), {
        "payment-due_on": "2027-01-01", "payment-amount": "10", "payment-status": "paid",
        "payment-method": "cash"})
    assert response.status_code == 400 and not Payment.objects.exists()


def test_every_payment_write_is_audited(as_user, olaf, case, budget):
    client, since = as_user(olaf), head_seq()
    assert client.post(reverse("budget:payment_add", args=[case.pk]), {
        "payment-line": budget["line"].pk, "payment-due_on": "2027-01-01",
        "payment-amount": "10.00", "payment-status": "scheduled",
        "payment-method": "cash", "payment-reference": REFERENCE}).status_code == 302
    new = Payment.objects.get(status="scheduled")
    assert client.post(reverse("budget:payment", args=[case.pk, new.pk]), {
        "line": budget["line"].pk, "due_on": "2027-01-01", "amount": "10.00",
        "status": "paid", "paid_on": "2027-01-02", "method": "cash",
        "reference": REFERENCE}).status_code == 302
    cancel = reverse("budget:payment_cancel", args=[case.pk, new.pk])
    assert client.post(cancel, {}).status_code == 200  # asks first
    assert client.post(cancel, {"confirmed": "1"}).status_code == 302
    new.refresh_from_db()
    assert new.status == "cancelled" and new.paid_on == datetime.date(2027, 1, 2)
    actions = [e.action for e in recorded(since) if e.action in range(240, 250)]
    assert actions == [Action.PAYMENT_RECORD, Action.PAYMENT_CHANGE, Action.PAYMENT_CANCEL]
    assert Payment.objects.filter(pk=new.pk).exists()  # cancelled, never deleted


def test_changing_and_removing_a_line_is_audited(as_user, olaf, case):
    line = make_line(case, olaf)
    client, since = as_user(olaf), head_seq()
    assert client.post(reverse("budget:line", args=[case.pk, line.pk]), {
        "category": "travel", "funder": funder("other").pk, "planned_amount": "99.99",
        "planned_on": "2027-02-02", "description": ""}).status_code == 302
    assert client.post(reverse("budget:line_delete", args=[case.pk, line.pk]),
                       {"confirmed": "1"}).status_code == 302
    change, delete = (recorded(since, Action.BUDGET_LINE_CHANGE),
                      recorded(since, Action.BUDGET_LINE_DELETE))
    assert change[0].facts["fields"] == ["funder", "planned_amount", "planned_on"]
    assert len(delete) == 1 and not BudgetLine.objects.exists()


def test_a_line_with_payments_is_not_removed(as_user, olaf, case, budget):
    client = as_user(olaf)
    client.post(reverse("budget:line_delete", args=[case.pk, budget["line"].pk]),
                {"confirmed": "1"})
    assert BudgetLine.objects.filter(pk=budget["line"].pk).exists()


def test_description_and_reference_are_stored_encrypted(case, budget):
    assert tables_containing([DESCRIPTION.encode(), REFERENCE.encode()]) == []


def test_another_case_s_line_is_404(as_user, carla, olaf, case, budget):
    other = make_case(carla, code_name="Ibis", legal_name="Juan Gómez", passport_number="X1",
                      officer=olaf)
    url = reverse("budget:line", args=[other.pk, budget["line"].pk])
    assert as_user(olaf).get(url).status_code == 404


def test_the_budget_tab_is_in_the_case_tabs(as_user, olaf, case):
    html = as_user(olaf).get(reverse("cases:profile", args=[case.pk])).content.decode()
    assert reverse("budget:case", args=[case.pk]) in html


def test_the_allowance_is_generated_and_audited(as_user, olaf, case):
    Case.objects.filter(pk=case.pk).update(planned_arrival=datetime.date(2027, 1, 15),
                                           planned_departure=datetime.date(2027, 4, 14))
    since = head_seq()
    response = as_user(olaf).post(reverse("budget:allowance", args=[case.pk]), {
        "rate": "1000", "funder": funder("municipality").pk})
    assert response.status_code == 200 and b'data-marker="schedule-result"' in response.content
    amounts = list(Payment.objects.filter(case=case).order_by("due_on")
                   .values_list("amount", flat=True))
    assert amounts == [Decimal("548.39"), Decimal("1000.00"), Decimal("1000.00"),
                       Decimal("466.67")]
    line = BudgetLine.objects.get(case=case, category="allowance")
    assert line.planned_amount == Decimal("3015.06")
    [event] = recorded(since, Action.ALLOWANCE_SCHEDULE)
    assert event.facts["created"] == 4


def test_a_stay_without_dates_cannot_be_scheduled(as_user, olaf, case):
    Case.objects.filter(pk=case.pk).update(planned_arrival=None, planned_departure=None)
    response = as_user(olaf).post(reverse("budget:allowance", args=[case.pk]), {
        "rate": "1000", "funder": funder("municipality").pk})
    assert response.status_code == 400 and not Payment.objects.exists()


def test_an_inactive_coordinator_is_not_a_coordinator(municipality):
    user = make_user("gone@example.org", "Coordinator", municipality, is_active=False)
    assert not policies.can_view_overview(user)


def test_a_payment_set_back_to_scheduled_loses_its_paid_day(carla, case, budget):
    services.payment_update(payment=budget["paid"], acting_user=carla, status="scheduled")
    budget["paid"].refresh_from_db()
    assert (budget["paid"].status, budget["paid"].paid_on) == ("scheduled", None)


def test_the_case_history_tells_of_budget_changes_without_values(as_user, olaf, case, budget):
    response = as_user(olaf).get(reverse("cases:history", args=[case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Payment recorded" in html
    assert REFERENCE not in html and DESCRIPTION not in html and "612.40" not in html
