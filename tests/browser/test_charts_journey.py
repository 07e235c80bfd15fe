"""A case officer reads the charts: the defenders hosted per year and region on the statistics
page, and the occupancy per month; opens each chart's table. axe-core checks every page at
1280 and 390 px, with the table closed and open (Chromium; skipped without it)."""

from __future__ import annotations

import datetime
import os

import pytest

from housing import services
from tests.factories import HOUSING_BASE, make_case, make_hosted_case, make_unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
YEAR = datetime.date.today().year


@pytest.fixture
def officer(db):
    from shelter.accounts.models import Organisation
    from shelter.accounts.roles import Role
    from tests.factories import make_user

    organisation = Organisation.objects.create(name="Gemeente", kind="municipality")
    return make_user("olga@example.org", Role.CASE_OFFICER, organisation)


def _world(officer) -> int:
    for country, n, year in (("KE", 4, YEAR - 1), ("CO", 3, YEAR - 1), ("MX", 5, YEAR),
                             ("UG", 3, YEAR), ("BY", 1, YEAR)):
        for i in range(n):
            make_hosted_case(officer, code_name=f"{country}{year}{i}", country=country,
                             arrival=datetime.date(year, 3, 1),
                             departure=datetime.date(year, 6, 1))
    year = HOUSING_BASE.year + 1
    unit = make_unit(officer, offered=(0, 800))
    services.booking_create(unit=unit, case=make_case(officer), acting_user=officer,
                            start=datetime.date(year, 2, 1), end=datetime.date(year, 4, 20))
    return year


def _open_the_table(a11y_page) -> None:
    page = a11y_page.page
    page.get_by_text("Show the numbers as a table").first.click()
    assert page.locator("table.chart__table").first.is_visible()
    a11y_page.check()


def test_charts_journey(a11y_page, live_server, officer):
    from tests.browser.test_case_officer_journey import sign_in

    page = a11y_page.page
    year = _world(officer)
    sign_in(a11y_page, live_server, officer)
    page.goto(f"/cases/statistics/?year={YEAR}")
    a11y_page.check()
    chart = page.get_by_role("img", name="Defenders hosted per year and region")
    assert chart.is_visible()
    drawn = page.locator("svg.chart__svg rect.chart__bar[data-value]:not([data-value='0'])")
    assert drawn.count() == 4  # last year Africa and the Americas; this year the Americas, Others
    _open_the_table(a11y_page)
    page.goto(f"/housing/occupancy/year/?year={year}")
    a11y_page.check()
    assert page.get_by_role("img", name=f"Occupancy per month in {year}").is_visible()
    _open_the_table(a11y_page)
    if os.environ.get("SHELTER_CHART_SCREENSHOTS"):  # to look at them while working on charts
        page.screenshot(path=os.path.join(os.environ["SHELTER_CHART_SCREENSHOTS"], "occ.png"),
                        full_page=True)
        page.goto(f"/cases/statistics/?year={YEAR}")
        page.screenshot(path=os.path.join(os.environ["SHELTER_CHART_SCREENSHOTS"], "stats.png"),
                        full_page=True)
