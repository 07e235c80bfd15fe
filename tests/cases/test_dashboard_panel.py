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


def _arriving_leaving_and_a_task(carla, olaf, n):
    arriving = make_case(carla, code_name=f"Arriving{n}", legal_name="A", passport_number=f"a{n}",
                         officer=olaf, planned_arrival=TODAY + datetime.timedelta(n))
    Case.objects.filter(pk=arriving.pk).update(stage=Case.Stage.ACCEPTED)
    leaving = make_case(carla, code_name=f"Leaving{n}", legal_name="B", passport_number=f"b{n}",
                        officer=olaf, planned_departure=TODAY + datetime.timedelta(n))
    Case.objects.filter(pk=leaving.pk).update(stage=Case.Stage.IN_RESIDENCE)
    services.task_create(case=leaving, title=f"Own words {n} <b>", acting_user=olaf, owner=olaf,
                         due_on=TODAY + datetime.timedelta(n))


# Committed, as in production: a data key made in an open transaction is never cached.
@pytest.mark.django_db(transaction=True)
def test_the_panel_reads_the_same_queries_for_one_line_or_many(carla, olaf):
    """One line or three of each kind: the same statements (the code names come with the
    rows, the sealed task titles' keys in one query)."""
    from tests.factories import sent_queries, verified_client

    client = verified_client(olaf)
    _arriving_leaving_and_a_task(carla, olaf, 1)
    client.get("/")
    one = len(sent_queries(lambda: client.get("/")))
    for n in (2, 3):
        _arriving_leaving_and_a_task(carla, olaf, n)
    client.get("/")
    answers = []
    many = len(sent_queries(lambda: answers.append(client.get("/"))))
    page = answers[0].content.decode()
    assert many == one
    for n in (1, 2, 3):  # the lines' code names, and a task's own (sealed) words, escaped
        assert f">Arriving{n}<" in page and f">Leaving{n}<" in page
        assert f"Leaving{n}: Own words {n} &lt;b&gt;</a>" in page
