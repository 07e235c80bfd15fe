"""services.case_transition: the lifecycle, its guards, its record and its checklists."""

from __future__ import annotations

import datetime
import itertools

import pytest

from cases import choices, lifecycle, services
from cases.models import Case, CaseTransition, Task
from shelter.audit import Action
from tests.factories import recorded

Stage = Case.Stage
MAIN_PATH = [Stage.NOMINATED, Stage.UNDER_REVIEW, Stage.ACCEPTED, Stage.PREPARING_ARRIVAL,
             Stage.IN_RESIDENCE, Stage.DEPARTED, Stage.FOLLOW_UP, Stage.CLOSED]
EXITS = [Stage.REJECTED, Stage.WITHDRAWN]
LEGAL = {(a, b) for a, b in itertools.pairwise(MAIN_PATH)} | {
    (a, b) for a in MAIN_PATH[:4] for b in EXITS}
ALL_PAIRS = [(a, b) for a in Stage for b in Stage]


def put_in_stage(case: Case, stage: str) -> Case:
    """Set the stage directly (test setup only) with the dates its guards need."""
    Case.objects.filter(pk=case.pk).update(
        stage=stage, actual_arrival=datetime.date.today() - datetime.timedelta(days=30),
        actual_departure=datetime.date.today())
    return Case.objects.get(pk=case.pk)


def test_the_lifecycle_table_is_exactly_the_design():
    table = {(a, b) for a, nexts in choices.TRANSITIONS.items() for b in nexts}
    assert table == LEGAL


@pytest.mark.parametrize(("from_stage", "to"), sorted(LEGAL))
def test_every_legal_transition_is_allowed_and_recorded(case, carla, from_stage, to,
                                                        audit_since):
    case = put_in_stage(case, from_stage)
    services.case_transition(case=case, to=to, acting_user=carla, reason="Committee decision")
    case.refresh_from_db()
    assert case.stage == to
    transition = CaseTransition.objects.get(case=case)
    assert (transition.from_stage, transition.to_stage, transition.actor) == (from_stage, to,
                                                                              carla)
    assert transition.reason == "Committee decision"
    [event] = recorded(audit_since, Action.CASE_TRANSITION)
    assert event.facts["from_stage"] == from_stage and event.facts["to_stage"] == to
    assert "Committee" not in str(event.facts)


@pytest.mark.parametrize(("from_stage", "to"), [p for p in ALL_PAIRS if p not in LEGAL])
def test_every_illegal_transition_raises_a_clear_error(case, carla, from_stage, to):
    case = put_in_stage(case, from_stage)
    with pytest.raises(services.TransitionError) as error:
        services.case_transition(case=case, to=to, acting_user=carla, reason="because")
    assert "cannot move" in str(error.value)
    case.refresh_from_db()
    assert case.stage == from_stage
    assert not CaseTransition.objects.filter(case=case).exists()


def test_accepting_without_a_decision_note_is_refused(case, carla):
    case = put_in_stage(case, Stage.UNDER_REVIEW)
    with pytest.raises(services.TransitionError) as error:
        services.case_transition(case=case, to=Stage.ACCEPTED, acting_user=carla, reason="  ")
    assert error.value.messages == ["Give the reason for this decision."]
    case.refresh_from_db()
    assert case.stage == Stage.UNDER_REVIEW


def test_in_residence_without_an_actual_arrival_date_is_refused(case, carla):
    Case.objects.filter(pk=case.pk).update(stage=Stage.PREPARING_ARRIVAL)
    case.refresh_from_db()
    with pytest.raises(services.TransitionError) as error:
        services.case_transition(case=case, to=Stage.IN_RESIDENCE, acting_user=carla)
    assert "actual arrival" in str(error.value)


def test_a_registered_guard_can_refuse_a_stage(case, carla, monkeypatch):
    monkeypatch.setattr(lifecycle, "_GUARDS", {})
    lifecycle.register_guard(Stage.UNDER_REVIEW, lambda c, r: "No confirmed housing booking.")
    with pytest.raises(services.TransitionError) as error:
        services.case_transition(case=case, to=Stage.UNDER_REVIEW, acting_user=carla)
    assert error.value.messages == ["No confirmed housing booking."]


def test_acceptance_sets_the_decision_date(case, carla):
    case = put_in_stage(case, Stage.UNDER_REVIEW)
    services.case_transition(case=case, to=Stage.ACCEPTED, acting_user=carla, reason="yes")
    case.refresh_from_db()
    assert case.decided_on == datetime.date.today()


def test_entering_a_stage_creates_its_checklist_owned_by_the_assigned_officer(case, carla, olaf):
    case = put_in_stage(case, Stage.ACCEPTED)
    services.case_transition(case=case, to=Stage.PREPARING_ARRIVAL, acting_user=carla)
    tasks = Task.objects.filter(case=case, stage=Stage.PREPARING_ARRIVAL)
    assert {t.title_key for t in tasks} == {"visa_submitted", "travel_booked", "insurance",
                                            "housing_booked", "allowance"}
    assert {t.owner for t in tasks} == {olaf}
    visa = tasks.get(title_key="visa_submitted")
    assert visa.due_on == max(case.planned_arrival - datetime.timedelta(days=42),
                              datetime.date.today())
    assert str(visa.title) == "Visa application submitted"


@pytest.mark.parametrize("stage", [s for s in lifecycle.CHECKLISTS])
def test_every_stage_with_a_checklist_generates_it_once(case, carla, stage):
    previous = next(a for a, b in sorted(LEGAL) if b == stage)
    case = put_in_stage(case, previous)
    services.case_transition(case=case, to=stage, acting_user=carla, reason="ok")
    expected = {t.key for t in lifecycle.CHECKLISTS[stage]}
    assert set(Task.objects.filter(case=case).values_list("title_key", flat=True)) == expected
    assert all(not t.is_done for t in Task.objects.filter(case=case))


def test_tasks_can_be_ticked_off_and_reopened(case, carla, olaf, audit_since):
    case = put_in_stage(case, Stage.NOMINATED)
    services.case_transition(case=case, to=Stage.UNDER_REVIEW, acting_user=carla)
    task = Task.objects.filter(case=case).first()
    services.task_set_done(task=task, done=True, acting_user=olaf)
    task.refresh_from_db()
    assert task.is_done and task.done_by == olaf
    services.task_set_done(task=task, done=False, acting_user=olaf)
    task.refresh_from_db()
    assert not task.is_done
    assert len(recorded(audit_since, Action.CASE_UPDATE)) == 2
