"""The logistics checks as the guard of "In residence": refusals list the failures, a
coordinator overrides with a reason (sealed with the transition, GUARD_OVERRIDE with the codes
only), a case officer cannot, an empty reason is refused, other guards cannot be overridden."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cases import services
from cases.models import Case, CaseTransition
from shelter.audit import Action
from tests.factories import make_logistics, make_unit, recorded
from tests.rawscan import tables_containing

TODAY = datetime.date.today()
REASON = "Visa sticker confirmed by the embassy by phone, Zofia"


def arrived(case: Case) -> Case:
    """The actual arrival recorded (the other guard of "In residence"), on the planned day
    (test setup: the documents were made to cover the planned stay)."""
    Case.objects.filter(pk=case.pk).update(actual_arrival=case.planned_arrival)
    return Case.objects.get(pk=case.pk)


def test_without_any_logistics_recorded_the_guard_lets_cases_pass(case, carla):
    services.case_transition(case=arrived(case), to="in_residence", acting_user=carla)
    assert Case.objects.get(pk=case.pk).stage == "in_residence"


def test_a_refused_stage_change_lists_every_failure(case, carla, olaf, as_user, audit_since):
    make_logistics(case, carla, booked=False, insurance_until=case.planned_departure
                   - datetime.timedelta(days=1))
    case = arrived(case)
    with pytest.raises(services.TransitionError) as error:
        services.case_transition(case=case, to="in_residence", acting_user=carla)
    assert error.value.overridable
    text = " ".join(error.value.messages)
    assert "insurance does not cover" in text and "outbound journey is not booked" in text
    assert Case.objects.get(pk=case.pk).stage == "preparing_arrival"
    response = as_user(olaf).post(reverse("cases:transition", args=[case.pk]),
                                  {"to": "in_residence"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "The defender: the insurance does not cover the whole stay." in page
    assert "override" not in page.lower()  # officers are not offered an override
    [rejected] = recorded(audit_since, Action.CASE_TRANSITION)
    assert rejected.outcome == "rejected"


def test_complete_logistics_pass_the_guard(case, carla):
    make_logistics(case, carla)
    services.case_transition(case=arrived(case), to="in_residence", acting_user=carla)
    assert Case.objects.get(pk=case.pk).stage == "in_residence"


def test_a_coordinator_overrides_with_a_reason(case, carla, as_user, audit_since):
    make_logistics(case, carla, booked=False, visa_decision="pending")
    case = arrived(case)
    response = as_user(carla).post(reverse("cases:transition", args=[case.pk]), {
        "to": "in_residence", "override": "on", "override_reason": REASON})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).stage == "in_residence"
    transition = CaseTransition.objects.get(case=case, to_stage="in_residence")
    assert transition.override_reason == REASON
    assert transition.overridden == ["outbound:defender", "visa:defender"]
    [override] = recorded(audit_since, Action.GUARD_OVERRIDE)
    assert override.facts["checks"] == ["outbound:defender", "visa:defender"]
    assert override.facts["transition_id"] == str(transition.pk)
    assert override.case_id == str(case.pk) and override.subject_id
    assert "Zofia" not in str(override.facts) and "embassy" not in str(override.facts)
    assert tables_containing([b"Zofia", b"embassy"]) == []  # sealed at rest, logged nowhere


def test_an_empty_override_reason_is_refused(case, carla, as_user, audit_since):
    make_logistics(case, carla, booked=False)
    case = arrived(case)
    response = as_user(carla).post(reverse("cases:transition", args=[case.pk]), {
        "to": "in_residence", "override": "on", "override_reason": "  "})
    assert response.status_code == 200
    assert "Give the reason for overriding the checks." in response.content.decode()
    assert Case.objects.get(pk=case.pk).stage == "preparing_arrival"
    with pytest.raises(services.TransitionError):
        services.case_transition(case=case, to="in_residence", acting_user=carla,
                                 override=True, override_reason="")
    assert recorded(audit_since, Action.GUARD_OVERRIDE) == []


def test_a_case_officer_cannot_override(case, carla, olaf, as_user, audit_since):
    make_logistics(case, carla, booked=False)
    case = arrived(case)
    response = as_user(olaf).post(reverse("cases:transition", args=[case.pk]), {
        "to": "in_residence", "override": "on", "override_reason": REASON})
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).stage == "preparing_arrival"
    with pytest.raises(services.TransitionError):
        services.case_transition(case=case, to="in_residence", acting_user=olaf,
                                 override=True, override_reason=REASON)
    assert Case.objects.get(pk=case.pk).stage == "preparing_arrival"
    assert recorded(audit_since, Action.GUARD_OVERRIDE) == []


def test_guards_that_are_not_overridable_stay_in_force(case, carla, as_user):
    make_logistics(case, carla, booked=False)  # overridable failure, and no actual arrival
    with pytest.raises(services.TransitionError) as error:
        services.case_transition(case=case, to="in_residence", acting_user=carla,
                                 override=True, override_reason=REASON)
    assert not error.value.overridable
    assert error.value.messages == [
        "Record the actual arrival date before the residency can start."]
    make_unit(carla)  # housing in use: "In residence" needs a confirmed booking (not overridable)
    response = as_user(carla).post(reverse("cases:transition", args=[arrived(case).pk]), {
        "to": "in_residence", "override": "on", "override_reason": REASON})
    assert response.status_code == 200
    assert "Book and confirm housing" in response.content.decode()
    assert Case.objects.get(pk=case.pk).stage == "preparing_arrival"


def test_the_coordinator_is_offered_the_override(case, carla, as_user):
    page = as_user(carla).get(reverse("cases:transition", args=[case.pk])).content.decode()
    assert 'name="override"' in page and 'name="override_reason"' in page
