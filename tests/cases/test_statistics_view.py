"""Statistics: counts from plain fields for staff. No count below 3 is shown in any breakdown,
none can be worked out from the total, and no small country is named."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from cases import selectors, services
from cases.models import Case
from tests.factories import make_case

YEAR = datetime.date.today().year
OTHERS = "Others combined"


def _residencies(carla, countries: dict[str, int], year: int = YEAR) -> list[Case]:
    cases = []
    for country, n in countries.items():
        for i in range(n):
            case = make_case(carla, code_name=f"{country}{i}", legal_name=f"{country} {i}",
                             passport_number=f"{country}{i}",
                             planned_arrival=datetime.date(year, 6, 1))
            services.defender_update(defender=case.defender, acting_user=carla,
                                     country_of_activity=country, field_of_work="journalism")
            cases.append(case)
    return cases


@pytest.fixture
def residencies(carla):
    """10 this year: 5 from CO, 3 from KE, 1 from BY, 1 from IR; one from an earlier year."""
    cases = _residencies(carla, {"CO": 5, "KE": 3, "BY": 1, "IR": 1})
    _residencies(carla, {"PE": 1}, year=YEAR - 3)
    return cases


def test_a_small_country_is_never_named_nor_derivable(olaf, residencies):
    stats = selectors.residency_statistics(olaf, YEAR)
    assert stats["total"] == 10
    # BY and IR (1 each) would give 2 under "others": KE joins them so that it is not small.
    assert stats["per_country"] == [("Colombia", 5), (OTHERS, 5)]  # by name, not ISO code
    assert sum(n for _label, n in stats["per_country"]) == stats["total"]


def test_stage_counts_are_protected_too(carla, olaf, residencies):
    for case in residencies[:6]:
        services.case_transition(case=case, to=Case.Stage.UNDER_REVIEW, acting_user=carla)
    services.case_transition(case=residencies[9], to=Case.Stage.WITHDRAWN, acting_user=carla,
                             reason="Declined the invitation")
    stats = selectors.residency_statistics(olaf, YEAR)
    # Nominated 3, Under review 6, Withdrawn 1: the 1 and the smallest (3) are combined.
    assert stats["per_stage"] == [("Under review", 6), (OTHERS, 4)]
    assert stats["per_field"] == [("Journalism and free expression", 10)]


def test_everything_below_three_shows_no_number_at_all(carla, olaf):
    _residencies(carla, {"BY": 2})
    stats = selectors.residency_statistics(olaf, YEAR)
    assert stats["total"] is None
    assert stats["per_country"] == stats["per_stage"] == [(OTHERS, None)]


def test_the_statistics_page_shows_no_code_names_and_no_small_country(as_user, olaf,
                                                                       residencies):
    page = as_user(olaf).get(reverse("cases:statistics") + f"?year={YEAR}").content.decode()
    assert OTHERS in page and ">Colombia<" in page and ">CO<" not in page
    for hidden in ("BY", "IR", "KE", "CO1"):
        assert f">{hidden}<" not in page
    for hidden in ("Belarus", "Iran", "Kenya"):
        assert hidden not in page


def test_the_page_says_fewer_than_three_when_the_total_is_small(carla, as_user, olaf):
    _residencies(carla, {"BY": 1})
    page = as_user(olaf).get(reverse("cases:statistics") + f"?year={YEAR}").content.decode()
    assert "Fewer than 3 residencies" in page and ">BY<" not in page and "Belarus" not in page


@given(st.lists(st.integers(min_value=1, max_value=12), max_size=12))
def test_no_small_count_is_shown_or_derivable(counts):
    rows = sorted(((f"c{i}", n) for i, n in enumerate(counts)), key=lambda r: -r[1])
    shown = selectors.protect_small_counts(rows, OTHERS)
    total = sum(counts)
    values = [n for _label, n in shown]
    small = {label for label, n in rows if n < selectors.SMALL_COUNT}
    assert not small & {label for label, _n in shown}
    if total >= selectors.SMALL_COUNT:
        # Every number is at least 3 and they add up to the total: nothing small to subtract.
        assert all(n >= selectors.SMALL_COUNT for n in values) and sum(values) == total
    else:
        assert values == ([None] if total else [])


@pytest.mark.parametrize("persona", ["pia", "aud"])
def test_partners_and_auditors_get_no_statistics(request, as_user, persona, residencies):
    user = request.getfixturevalue(persona)
    assert as_user(user).get(reverse("cases:statistics")).status_code == 404
    assert selectors.residency_statistics(user, YEAR)["total"] == 0
