"""The statistics page's chart: defenders hosted per year and region, protected like the page's
tables (no count below 3, none derivable), and drawing exactly the numbers of its table."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cases import statistics
from cases.regions import REGION_OF, region_of
from tests.chartscan import assert_chart_matches_table, chart_svgs
from tests.factories import make_hosted_case

YEAR = datetime.date.today().year
D = datetime.date


def _hosted(carla, country: str, n: int, arrival: D, departure: D | None = None, **extra):
    return [make_hosted_case(carla, code_name=f"{country}{arrival.year}{i}", country=country,
                             arrival=arrival, departure=departure, **extra) for i in range(n)]


def _values(result) -> dict[str, list]:
    return {s.label: list(s.values) for s in result["series"]}


@pytest.fixture
def hosted(carla):
    """Last year: Africa 4, Americas 3, Europe 1, Asia 1 (so the Americas fold with the small
    ones); this year: Americas 5, Africa 3 (both shown)."""
    _hosted(carla, "KE", 4, D(YEAR - 1, 3, 1), D(YEAR - 1, 6, 1))
    _hosted(carla, "CO", 3, D(YEAR - 1, 3, 1), D(YEAR - 1, 6, 1))
    _hosted(carla, "BY", 1, D(YEAR - 1, 3, 1), D(YEAR - 1, 6, 1))
    _hosted(carla, "IR", 1, D(YEAR - 1, 3, 1), D(YEAR - 1, 6, 1))
    _hosted(carla, "MX", 5, D(YEAR, 1, 10), D(YEAR, 4, 10))
    _hosted(carla, "UG", 3, D(YEAR, 1, 10), D(YEAR, 4, 10))


def test_every_country_has_a_region_but_antarctica():
    from django_countries import countries

    assert [c.code for c in countries if c.code not in REGION_OF] == ["AQ"]
    assert region_of("nl") == "150" and region_of("") == "" and region_of(None) == ""


def test_each_year_is_protected_on_its_own(olaf, hosted):
    result = statistics.hosted_per_region(olaf, YEAR)
    assert result["years"] == list(range(YEAR - 4, YEAR + 1))
    # last year: Europe 1 + Asia 1 = 2 is small, so the Americas' 3 join them: Others 5
    assert _values(result) == {"Africa": [None, None, None, 4, 3],
                               "Americas": [None, None, None, None, 5],
                               "Others combined": [0, 0, 0, 5, 0]}
    for series in result["series"]:
        assert all(v is None or v == 0 or v >= 3 for v in series.values)


def test_a_stay_across_new_year_counts_in_both_years(carla, olaf):
    _hosted(carla, "KE", 3, D(YEAR - 2, 11, 15), D(YEAR - 1, 2, 15))
    assert _values(statistics.hosted_per_region(olaf, YEAR))["Africa"] == [
        None, None, 3, 3, None]


def test_planned_dates_count_when_there_are_no_actual_ones_and_a_stay_runs_on(carla, olaf):
    _hosted(carla, "KE", 3, D(YEAR - 1, 12, 1), None, stage="in_residence", actual=False)
    assert _values(statistics.hosted_per_region(olaf, YEAR))["Africa"][-2:] == [3, 3]


def test_only_residencies_that_arrived_count(carla, olaf):
    _hosted(carla, "KE", 3, D(YEAR, 2, 1), D(YEAR, 5, 1), stage="preparing_arrival")
    _hosted(carla, "CO", 3, D(YEAR, 2, 1), D(YEAR, 5, 1), stage="withdrawn")
    assert statistics.hosted_per_region(olaf, YEAR)["series"] == []


def test_a_year_with_fewer_than_three_shows_no_number(carla, olaf):
    _hosted(carla, "KE", 1, D(YEAR, 2, 1), D(YEAR, 5, 1))
    _hosted(carla, "BY", 1, D(YEAR, 2, 1), D(YEAR, 5, 1))
    assert _values(statistics.hosted_per_region(olaf, YEAR)) == {
        "Others combined": [0, 0, 0, 0, None]}


def test_the_chart_draws_the_numbers_of_its_table(as_user, olaf, hosted, carla):
    _hosted(carla, "NL", 2, D(YEAR, 5, 1), D(YEAR, 7, 1))  # this year's Others: 2 -> folded
    page = as_user(olaf).get(reverse("cases:statistics") + f"?year={YEAR}").content.decode()
    cells = assert_chart_matches_table(page)
    year, last = str(YEAR), str(YEAR - 1)
    assert cells[(last, "Africa")] == ("4", "4")
    assert cells[(last, "Americas")] == ("", "—")  # folded: no bar, no number
    assert cells[(last, "Others combined")] == ("5", "5")
    # this year: Europe's 2 is small, so Africa's 3 joins it (5); the Americas' 5 stays
    assert cells[(year, "Africa")] == ("", "—")
    assert cells[(year, "Others combined")] == ("5", "5")
    assert "Europe" not in page and "Netherlands" not in page


def test_the_chart_shows_a_small_year_as_no_bar_and_fewer_than_three(as_user, olaf, carla):
    _hosted(carla, "KE", 2, D(YEAR, 2, 1), D(YEAR, 5, 1))
    page = as_user(olaf).get(reverse("cases:statistics") + f"?year={YEAR}").content.decode()
    cells = assert_chart_matches_table(page)
    assert cells[(str(YEAR), "Others combined")] == ("", "fewer than 3")
    assert "Africa" not in page and "Kenya" not in page
    assert chart_svgs(page)[0].find("{http://www.w3.org/2000/svg}desc").text.endswith(
        "1 value is not shown as a bar.")


def test_the_chart_is_in_dutch_for_dutch_readers(as_user, olaf, hosted):
    client = as_user(olaf)
    client.cookies["django_language"] = "nl"
    page = client.get(reverse("cases:statistics") + f"?year={YEAR}").content.decode()
    cells = assert_chart_matches_table(page)
    assert cells[(str(YEAR - 1), "Afrika")] == ("4", "4")
    assert cells[(str(YEAR - 1), "Overige samen")] == ("5", "5")


def test_the_page_needs_a_bounded_number_of_queries(carla, olaf, as_user,
                                                    django_assert_max_num_queries):
    client = as_user(olaf)
    url = reverse("cases:statistics") + f"?year={YEAR}"
    _hosted(carla, "KE", 3, D(YEAR, 2, 1), D(YEAR, 5, 1))
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _hosted(carla, "CO", 6, D(YEAR - 1, 2, 1), D(YEAR, 5, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


@pytest.mark.parametrize("persona", ["pia", "aud"])
def test_partners_and_auditors_get_no_chart(request, as_user, persona, hosted):
    user = request.getfixturevalue(persona)
    assert as_user(user).get(reverse("cases:statistics")).status_code == 404
    assert statistics.hosted_per_region(user, YEAR)["series"] == []
