"""Intake rounds: coordinators open and change them; officers see them and their counts."""

from __future__ import annotations

from django.urls import reverse

from cases import services
from cases.models import Case, IntakeRound
from tests.factories import make_case

ROUND = {"name": "2027 spring", "opens_on": "2026-10-01", "closes_on": "2026-11-30",
         "decision_on": "2026-12-15", "places": "4"}


def test_a_coordinator_opens_a_round_and_cases_are_counted_in_it(as_user, carla, olaf):
    assert as_user(carla).post(reverse("cases:rounds"), ROUND).status_code == 302
    intake_round = IntakeRound.objects.get()
    accepted = make_case(carla, code_name="A", legal_name="A", passport_number="1",
                         intake_round=intake_round)
    Case.objects.filter(pk=accepted.pk).update(stage=Case.Stage.ACCEPTED)
    make_case(carla, code_name="B", legal_name="B", passport_number="2",
              intake_round=intake_round)
    make_case(carla, code_name="C", legal_name="C", passport_number="3")
    page = as_user(olaf).get(reverse("cases:rounds"))
    [row] = page.context["rounds"]
    assert (row.nominated, row.accepted) == (2, 1)
    listed = as_user(olaf).get(reverse("cases:list") + f"?intake_round={intake_round.pk}")
    assert {c.defender.code_name for c in listed.context["page"]} == {"A", "B"}


def test_dates_out_of_order_are_refused(as_user, carla):
    response = as_user(carla).post(reverse("cases:rounds"), {**ROUND, "closes_on": "2026-09-01",
                                                             "decision_on": "2026-08-01"})
    form = response.context["form"]
    assert "closes_on" in form.errors and not IntakeRound.objects.exists()


def test_officers_cannot_open_or_change_rounds(as_user, carla, olaf):
    assert as_user(olaf).post(reverse("cases:rounds"), ROUND).status_code == 403
    intake_round = services.round_create(acting_user=carla, name="R", opens_on="2026-01-01",
                                         closes_on="2026-02-01", places=2)
    url = reverse("cases:round_edit", args=[intake_round.pk])
    assert as_user(olaf).get(url).status_code == 403
    assert as_user(carla).post(url, {**ROUND, "name": "Renamed"}).status_code == 302
    intake_round.refresh_from_db()
    assert intake_round.name == "Renamed"


def test_a_case_is_put_in_a_round_from_the_residency_form(as_user, carla, olaf, case):
    intake_round = services.round_create(acting_user=carla, name="R", opens_on="2026-01-01",
                                         closes_on="2026-02-01", places=2)
    response = as_user(olaf).post(reverse("cases:case_edit", args=[case.pk]), {
        "risk_level": "medium", "intake_round": intake_round.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.intake_round == intake_round
