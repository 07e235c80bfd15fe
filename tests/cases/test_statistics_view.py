"""Statistics: counts from plain fields for staff; small counts per country are suppressed."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cases import selectors
from tests.cases.conftest import make_case

YEAR = datetime.date.today().year


@pytest.fixture
def residencies(carla):
    for i in range(4):
        make_case(carla, code_name=f"Co{i}", legal_name=f"C {i}", passport_number=f"C{i}",
                  planned_arrival=datetime.date(YEAR, 6, 1))
    lone = make_case(carla, code_name="Lone", legal_name="L", passport_number="L1",
                     planned_arrival=datetime.date(YEAR, 7, 1))
    lone.defender.country_of_activity = "BY"
    lone.defender.save()
    make_case(carla, code_name="Old", legal_name="O", passport_number="O1",
              planned_arrival=datetime.date(YEAR - 3, 1, 1))


def test_counts_per_year_with_small_counts_suppressed(olaf, residencies):
    stats = selectors.residency_statistics(olaf, YEAR)
    assert stats["total"] == 5
    assert ("CO", 4) in stats["per_country"] and ("BY", None) in stats["per_country"]
    assert stats["per_stage"] == [("Nominated", 5)]


def test_the_statistics_page_shows_no_code_names(as_user, olaf, residencies):
    page = as_user(olaf).get(reverse("cases:statistics") + f"?year={YEAR}").content.decode()
    assert "fewer than 3" in page and "Lone" not in page and "Co1" not in page


@pytest.mark.parametrize("persona", ["pia", "aud"])
def test_partners_and_auditors_get_no_statistics(request, as_user, persona, residencies):
    user = request.getfixturevalue(persona)
    assert as_user(user).get(reverse("cases:statistics")).status_code == 404
    assert selectors.residency_statistics(user, YEAR)["total"] == 0
