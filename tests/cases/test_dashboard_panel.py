"""The cases dashboard panel: arrivals, departures, stages and tasks, for staff only."""

from __future__ import annotations

import datetime

import pytest

from cases import services
from cases.models import Case, Task
from tests.factories import make_case

TODAY = datetime.date.today()


def test_staff_see_upcoming_arrivals_departures_stages_and_tasks(as_user, carla, olaf):
    arriving = make_case(carla, code_name="Arriving", legal_name="A", passport_number="1",
                         officer=olaf, planned_arrival=TODAY + datetime.timedelta(10))
    Case.objects.filter(pk=arriving.pk).update(stage=Case.Stage.ACCEPTED)
    arriving.refresh_from_db()
    services.case_transition(case=arriving, to=Case.Stage.PREPARING_ARRIVAL, acting_user=olaf)
    Task.objects.filter(case=arriving, title_key="visa_submitted").update(
        due_on=TODAY - datetime.timedelta(1))
    leaving = make_case(carla, code_name="Leaving", legal_name="B", passport_number="2",
                        planned_departure=TODAY + datetime.timedelta(5))
    Case.objects.filter(pk=leaving.pk).update(stage=Case.Stage.IN_RESIDENCE)
    page = as_user(olaf).get("/").content.decode()
    assert "Arrivals and departures" in page
    assert ">Arriving<" in page and ">Leaving<" in page
    assert "1 task overdue" in page
    assert "Visa application submitted" in page


@pytest.mark.parametrize("persona", ["pia", "aud"])
def test_partners_and_auditors_get_no_cases_panel(request, as_user, carla, persona):
    make_case(carla, code_name="Hidden", planned_arrival=TODAY + datetime.timedelta(3))
    page = as_user(request.getfixturevalue(persona)).get("/").content.decode()
    assert "Arrivals and departures" not in page and "Hidden" not in page
