"""The budget overview against a hand-computed fixture (per funder, per category, per year and
intake round), the overspend warnings at their boundary, and who may open it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from budget import selectors, services
from budget.views import _chart
from cases import services as case_services
from shelter.audit import Action
from tests.factories import funder, head_seq, make_case, make_line, make_paid, recorded

D = datetime.date


@pytest.fixture
def world(carla):
    """Four residencies in 2027 (three in round Spring, one in Autumn), amounts chosen so that
    each sum below is worked out by hand in the tests."""
    spring = case_services.round_create(acting_user=carla, name="2027 spring",
                                        opens_on=D(2026, 9, 1), closes_on=D(2026, 10, 1))
    autumn = case_services.round_create(acting_user=carla, name="2027 autumn",
                                        opens_on=D(2027, 3, 1), closes_on=D(2027, 4, 1))
    c1, c2, c3 = (make_case(carla, code_name=n, legal_name=f"Legal {n}", passport_number=n,
                            intake_round=spring) for n in ("Heron", "Ibis", "Jay"))
    c4 = make_case(carla, code_name="Kite", legal_name="Legal Kite", passport_number="K",
                   intake_round=autumn)
    d = D(2027, 3, 1)
    travel1 = make_line(c1, carla, category="travel", amount="600.00", on=d)
    allowance1 = make_line(c1, carla, category="allowance", amount="3000.00", on=d)
    make_line(c1, carla, funder_code="other", category="other", amount="50.00",
              on=D(2026, 12, 31))  # another year
    travel2 = make_line(c2, carla, funder_code="ministry_foreign_affairs", amount="450.50",
                        on=d)
    insurance3 = make_line(c3, carla, funder_code="protectdefenders", category="insurance",
                           amount="120.00", on=d)
    travel4 = make_line(c4, carla, amount="700.00", on=d)
    make_paid(c1, carla, travel1, amount="612.40", on=d)
    make_paid(c1, carla, allowance1, amount="1000.00", on=d)
    make_paid(c1, carla, None, amount="25.00", on=d)  # on no line
    make_paid(c2, carla, travel2, amount="450.50", on=d)
    cancelled = make_paid(c2, carla, travel2, amount="500.00", on=d)
    services.payment_cancel(payment=cancelled, acting_user=carla)
    make_paid(c3, carla, insurance3, amount="120.00", on=D(2028, 1, 2))  # paid next year
    make_paid(c4, carla, travel4, amount="699.99", on=d)
    return {"spring": spring, "autumn": autumn}


def by_key(rows):
    return {r.key: (r.planned, r.actual) for r in rows}


def test_totals_per_funder_and_category_for_a_year(carla, world):
    data = selectors.overview(carla, 2027)
    assert by_key(data["funders"]) == {
        "municipality": (Decimal("4300.00"), Decimal("2312.39")),
        "national_coordinator": (Decimal("0"), Decimal("0")),
        "ministry_foreign_affairs": (Decimal("450.50"), Decimal("450.50")),
        "protectdefenders": (Decimal("120.00"), Decimal("0")),
        "other": (Decimal("0"), Decimal("0"))}
    categories = by_key(data["categories"])
    assert categories["travel"] == (Decimal("1750.50"), Decimal("1762.89"))
    assert categories["allowance"] == (Decimal("3000.00"), Decimal("1000.00"))
    assert categories["insurance"] == (Decimal("120.00"), Decimal("0"))
    assert categories["other"] == (Decimal("0"), Decimal("0"))
    assert data["unallocated"] == Decimal("25.00")
    assert (data["total"].planned, data["total"].actual) == (Decimal("4870.50"),
                                                             Decimal("2787.89"))
    assert data["cases"] == 4


def test_totals_of_one_intake_round_and_another_year(carla, world):
    spring = selectors.overview(carla, 2027, world["spring"])
    assert by_key(spring["funders"])["municipality"] == (Decimal("3600.00"),
                                                         Decimal("1612.40"))
    assert spring["total"].actual == Decimal("2087.90")
    assert spring["cases"] == 3
    earlier = selectors.overview(carla, 2026)
    assert earlier["total"].planned == Decimal("50.00") and earlier["total"].actual == 0
    later = selectors.overview(carla, 2028)
    assert by_key(later["funders"])["protectdefenders"] == (Decimal("0"), Decimal("120.00"))


@pytest.mark.parametrize("budget,over,planned_over", [
    ("2312.39", False, True),   # paid exactly the budget: not over
    ("2312.38", True, True),    # one cent less: over
    ("4300.00", False, False),  # planned exactly the budget: no warning either
    ("4299.99", False, True)])
def test_overspend_warnings_at_the_boundary(carla, world, budget, over, planned_over):
    services.funder_budget_set(funder=funder("municipality"), year=2027,
                               amount=Decimal(budget), acting_user=carla)
    [row] = [r for r in selectors.overview(carla, 2027)["funders"] if r.key == "municipality"]
    assert (row.over_budget, row.planned_over_budget) == (over, planned_over)


def test_the_page_shows_the_warnings_the_chart_and_records_one_read(as_user, carla, world):
    services.funder_budget_set(funder=funder("municipality"), year=2027,
                               amount=Decimal("2000.00"), acting_user=carla)
    since = head_seq()
    response = as_user(carla).get(reverse("budget:overview"), {"year": "2027"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-marker="over-budget"' in html and "<svg" in html
    assert "Heron" not in html and "Legal Heron" not in html
    [event] = recorded(since, Action.BUDGET_OVERVIEW_VIEW)
    assert event.facts["year"] == 2027


def test_the_chart_shows_the_table_s_numbers(carla, world):
    services.funder_budget_set(funder=funder("municipality"), year=2027,
                               amount=Decimal("2000.00"), acting_user=carla)
    rows = selectors.overview(carla, 2027)["funders"]
    chart = _chart(rows)
    bars = {(b.category, b.series): b.data_value for b in chart.bars}
    assert bars[("Municipality", "Budget")] == "2000.00"
    assert bars[("Municipality", "Actual")] == "2312.39"
    assert ("Justice & Peace Netherlands (national coordinator)", "Budget") not in bars


@pytest.mark.parametrize("who", ["olaf", "otto", "pia", "aud"])
def test_only_coordinators_open_the_overview_and_funders(as_user, request, who):
    client = as_user(request.getfixturevalue(who))
    for name in ("budget:overview", "budget:funders", "budget:export_csv",
                 "budget:export_xlsx"):
        assert client.get(reverse(name)).status_code == 404, name


def test_a_yearly_budget_is_set_on_the_funders_page_and_audited(as_user, carla):
    since = head_seq()
    municipality = funder("municipality")
    response = as_user(carla).post(reverse("budget:funder_budget", args=[municipality.pk]),
                                   {"year": "2027", "amount": "15000.00"})
    assert response.status_code == 302
    assert selectors.funder_budgets(carla, 2027) == {municipality.pk: Decimal("15000.00")}
    assert len(recorded(since, Action.FUNDER_BUDGET_SET)) == 1
    bad = as_user(carla).post(reverse("budget:funder_budget", args=[municipality.pk]),
                              {"year": "2027", "amount": "-3"})
    assert bad.status_code == 400
    assert selectors.funder_budgets(carla, 2027) == {municipality.pk: Decimal("15000.00")}


def test_funders_are_added_and_deactivated_never_deleted(as_user, carla):
    client, since = as_user(carla), head_seq()
    assert client.post(reverse("budget:funders"), {"code": "province", "name": "Province",
                                                   "active": "on", "order": "60"}
                       ).status_code == 302
    province = funder("province")
    assert client.post(reverse("budget:funder", args=[province.pk]), {
        "code": "province", "name": "Province", "order": "60"}).status_code == 302
    province.refresh_from_db()
    assert province.active is False
    assert [e.action for e in recorded(since) if e.action in (250, 251)] == [
        Action.FUNDER_CREATE, Action.FUNDER_CHANGE]
    duplicate = client.post(reverse("budget:funders"), {"code": "province", "name": "P",
                                                        "order": "1"})
    assert duplicate.status_code == 400
