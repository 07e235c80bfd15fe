"""Create a case (new or existing defender), edit with date validation, change stage."""

from __future__ import annotations

import datetime

from django.urls import reverse

from cases.models import Case, Defender
from shelter.audit import Action
from tests.factories import recorded

TODAY = datetime.date.today()


def test_a_case_and_its_defender_are_created_in_one_form(as_user, olaf, audit_since):
    response = as_user(olaf).post(reverse("cases:create"), {
        "code_name": "Osprey", "legal_name": "Juana Ríos", "passport_number": "CO-771",
        "country_of_activity": "co", "risk_level": "high", "assigned_officer": olaf.pk,
        "planned_arrival": TODAY + datetime.timedelta(days=40),
        "planned_departure": TODAY + datetime.timedelta(days=130)})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/cases/{case.pk}/")
    assert case.defender.legal_name == "Juana Ríos"
    assert case.defender.country_of_activity == "CO"
    assert case.stage == Case.Stage.NOMINATED and case.assigned_officer == olaf
    assert len(recorded(audit_since, Action.CASE_CREATE)) == 2


def test_a_second_residency_reuses_an_existing_defender(as_user, olaf, case):
    response = as_user(olaf).post(reverse("cases:create"), {
        "existing_defender": case.defender.pk, "risk_level": "low"})
    assert response.status_code == 302
    assert Defender.objects.count() == 1 and case.defender.cases.count() == 2


def test_a_new_defender_needs_a_code_name_and_legal_name(as_user, olaf):
    response = as_user(olaf).post(reverse("cases:create"), {"risk_level": "low"})
    assert response.status_code == 400 and not Case.objects.exists()
    # On each field and again in the error summary at the top.
    assert response.content.count(b"Required for a new defender.") == 4


def test_departure_before_arrival_is_refused_on_the_field(as_user, olaf, case):
    response = as_user(olaf).post(reverse("cases:case_edit", args=[case.pk]), {
        "risk_level": "medium", "planned_arrival": "2026-05-01",
        "planned_departure": "2026-04-01", "actual_arrival": str(TODAY + datetime.timedelta(1))})
    assert response.status_code == 400
    form = response.context["form"]
    assert "planned_departure" in form.errors and "actual_arrival" in form.errors


def test_residency_details_are_saved_and_the_old_free_text_is_no_longer_edited_there(
        as_user, olaf, case):
    from cases import services

    services.case_update(case=case, acting_user=olaf, travel={"details": "KL 999 earlier"})
    response = as_user(olaf).post(reverse("cases:case_edit", args=[case.pk]), {
        "risk_level": "high", "planned_arrival": "2026-05-01", "planned_departure": "2026-08-01",
        "visa": "submitted", "travel": "KL 123", "accompanying_persons": "Son\nDaughter"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.risk_level == "high" and case.planned_departure.isoformat() == "2026-08-01"
    # visa, travel, insurance, allowance and companions are the logistics now: not changed here
    assert case.travel == {"details": "KL 999 earlier"} and case.accompanying_persons is None
    page = as_user(olaf).get(reverse("cases:residency", args=[case.pk])).content.decode()
    assert "KL 999" not in page and "Visa status" not in page
    logistics = as_user(olaf).get(reverse("cases:logistics", args=[case.pk])).content.decode()
    assert "Earlier notes (free text)" in logistics and "KL 999 earlier" in logistics


def test_identity_edit_keeps_the_blind_index_in_step(as_user, olaf, case):
    from cases import selectors

    response = as_user(olaf).post(reverse("cases:defender_edit", args=[case.pk]), {
        "code_name": "Heron", "legal_name": "Ana Pérez Gómez", "passport_number": "NL-12 345"})
    assert response.status_code == 302
    assert list(selectors.cases_search(olaf, "ana perez gomez")) == [case]
    assert list(selectors.cases_search(olaf, "Ana María Pérez")) == []


def test_the_stage_form_shows_the_transition_error(as_user, olaf, case):
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.PREPARING_ARRIVAL)
    response = as_user(olaf).post(reverse("cases:transition", args=[case.pk]),
                                  {"to": "in_residence"})
    assert response.status_code == 200
    assert b"actual arrival date" in response.content


def test_the_stage_form_moves_the_case(as_user, olaf, case):
    response = as_user(olaf).post(reverse("cases:transition", args=[case.pk]),
                                  {"to": "under_review"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == "under_review"
    page = as_user(olaf).get(reverse("cases:tasks", args=[case.pk])).content
    assert b"Risk assessment done" in page


def test_accepting_through_the_form_needs_a_reason(as_user, olaf, case):
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.UNDER_REVIEW)
    response = as_user(olaf).post(reverse("cases:transition", args=[case.pk]),
                                  {"to": "accepted", "reason": ""})
    assert response.status_code == 200
    assert b"Give the reason for this decision." in response.content
