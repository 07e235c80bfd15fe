"""The pure checks (cases.logistics.checks) at their boundaries."""

from __future__ import annotations

import datetime

import pytest

from cases.logistics.checks import Stay, Traveller, add_months, evaluate

D = datetime.date
STAY = Stay(D(2027, 3, 1), D(2027, 5, 31))
GOOD = dict(passport_expires_on=D(2027, 11, 30), visa_type="c", visa_decision="granted",
            visa_valid_from=D(2027, 3, 1), visa_valid_until=D(2027, 5, 31),
            insurance_from=D(2027, 3, 1), insurance_until=D(2027, 5, 31),
            outbound_statuses=("booked",))


def codes(stay=STAY, strict=True, months=6, outbound=True, **values):
    travellers = values.pop("travellers", None) or [Traveller(**{**GOOD, **values})]
    return [f.code for f in evaluate(stay, travellers, months=months, strict=strict,
                                     outbound=outbound)]


@pytest.mark.parametrize(("day", "months", "expected"), [
    (D(2026, 8, 31), 6, D(2027, 2, 28)),   # clamps to the end of February
    (D(2027, 8, 31), 6, D(2028, 2, 29)),   # a leap year
    (D(2027, 1, 31), 1, D(2027, 2, 28)),
    (D(2027, 3, 15), 6, D(2027, 9, 15)),
    (D(2027, 10, 31), 4, D(2028, 2, 29)),
    (D(2027, 12, 1), 1, D(2028, 1, 1)),    # over the year's end
    (D(2027, 5, 31), 0, D(2027, 5, 31)),
])
def test_month_arithmetic_clamps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_everything_covering_the_stay_passes():
    assert codes() == []


def test_the_passport_passes_on_the_boundary_day_and_fails_the_day_before():
    # departure 31 May 2027 + 6 months = 30 November 2027
    assert codes(passport_expires_on=D(2027, 11, 30)) == []
    assert codes(passport_expires_on=D(2027, 11, 29)) == ["passport:defender"]


def test_the_passport_boundary_clamps_at_the_month_end():
    stay = Stay(D(2026, 8, 1), D(2026, 8, 31))
    cover = dict(visa_valid_from=D(2026, 8, 1), visa_valid_until=D(2026, 8, 31),
                 insurance_from=D(2026, 8, 1), insurance_until=D(2026, 8, 31))
    assert codes(stay, passport_expires_on=D(2027, 2, 28), **cover) == []
    assert codes(stay, passport_expires_on=D(2027, 2, 27), **cover) == ["passport:defender"]


def test_the_months_are_configurable():
    assert codes(months=7, passport_expires_on=D(2027, 11, 30)) == ["passport:defender"]
    assert codes(months=3, passport_expires_on=D(2027, 8, 31)) == []


def test_a_stay_extended_past_the_visa_fails():
    longer = Stay(D(2027, 3, 1), D(2027, 6, 1))
    assert "visa:defender" in codes(longer, passport_expires_on=D(2028, 1, 1))
    earlier = Stay(D(2027, 2, 28), D(2027, 5, 31))
    assert codes(earlier, insurance_from=D(2027, 2, 28)) == ["visa:defender"]


def test_the_actual_dates_make_the_stay():
    stay = Stay.of(D(2027, 3, 1), D(2027, 5, 31), actual_departure=D(2027, 6, 2))
    assert stay == Stay(D(2027, 3, 1), D(2027, 6, 2))
    assert Stay.of(D(2027, 3, 1), D(2027, 5, 31), D(2027, 3, 3)).arrival == D(2027, 3, 3)


def test_no_visa_needed_passes_whatever_the_dates():
    assert codes(visa_type="none", visa_decision="", visa_valid_from=None,
                 visa_valid_until=None) == []


def test_a_refused_or_pending_visa_fails_a_refused_one_even_as_a_warning():
    assert codes(visa_decision="refused") == ["visa:defender"]
    assert codes(strict=False, visa_decision="refused") == ["visa:defender"]
    assert codes(visa_decision="pending") == ["visa:defender"]
    assert codes(strict=False, visa_decision="pending") == []


def test_insurance_one_day_short_fails():
    assert codes(insurance_until=D(2027, 5, 30)) == ["insurance:defender"]
    assert codes(insurance_from=D(2027, 3, 2)) == ["insurance:defender"]
    assert codes(insurance_until=D(2027, 5, 31)) == []


def test_the_outbound_journey_must_be_booked_or_flown():
    assert codes(outbound_statuses=("to_book",)) == ["outbound:defender"]
    assert codes(outbound_statuses=()) == ["outbound:defender"]
    assert codes(outbound_statuses=("changed", "flown")) == []
    assert codes(outbound=False, outbound_statuses=()) == []


def test_what_is_not_recorded_fails_the_guard_but_warns_of_nothing():
    empty = [Traveller(outbound_statuses=("booked",))]
    assert codes(travellers=empty) == ["passport:defender", "visa:defender",
                                       "insurance:defender"]
    assert codes(travellers=empty, strict=False) == []


def test_every_accompanying_person_is_checked_too():
    travellers = [Traveller(**GOOD), Traveller(number=1, **{**GOOD, "insurance_until": None}),
                  Traveller(number=2, **{**GOOD, "passport_expires_on": D(2027, 6, 1)})]
    assert codes(travellers=travellers) == ["insurance:companion_1", "passport:companion_2"]
    messages = [f.message for f in evaluate(STAY, travellers, months=6, strict=True)]
    assert messages[0].startswith("Accompanying person 1:")


@pytest.mark.parametrize("stay", [Stay(D(2027, 3, 1), None), Stay(None, D(2027, 5, 31)),
                                  Stay(None, None)])
def test_a_stay_without_both_dates_fails_the_guard_but_warns_of_nothing(stay):
    """Without a departure no passport, visa or insurance can be shown to cover the stay."""
    assert "stay:dates" in codes(stay=stay)
    assert "stay:dates" not in codes(stay=stay, strict=False)
