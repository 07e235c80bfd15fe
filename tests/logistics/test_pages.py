"""The logistics page and its forms: who sees what (a partner with "logistics" alone reads
"Accompanying person 1 (child)", never the name or passport number), who may change it, that
bad input is a form error that changes nothing, and that every write is audited with ids and
field names, never values."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.logistics import services as logistics
from cases.logistics.models import Companion, TravelDocuments, TravelLeg
from shelter.audit import Action
from tests.factories import make_logistics, make_share, recorded

NAME = "Lucía Marker-Quintero"
PASSPORT = "CMP-55667788"
BOOKING = "ABC123"


@pytest.fixture
def filled(case, carla):
    make_logistics(case, carla)
    logistics.companion_add(case=case, acting_user=carla, relationship="child",
                            legal_name=NAME, passport_number=PASSPORT, nationality="CO")
    case.refresh_from_db()
    return case


def page(client, case):
    return client.get(reverse("cases:logistics", args=[case.pk]))


def test_staff_see_everything_and_may_change_it(filled, olaf, as_user):
    response = page(as_user(olaf), filled)
    html = response.content.decode()
    assert response.status_code == 200
    assert NAME in html and PASSPORT in html and BOOKING in html and "POL-1" in html
    assert "Accompanying person 1 (child)" in html and "Add a journey" in html


def test_a_partner_with_logistics_alone_sees_no_companion_identity(filled, carla, pia,
                                                                   as_user, audit_since):
    make_share(filled, carla, user=pia, sections=("logistics",))
    response = page(as_user(pia), filled)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Accompanying person 1 (child)" in html and BOOKING in html
    assert NAME not in html and PASSPORT not in html
    assert "Add a journey" not in html and "Earlier notes" not in html
    [read] = recorded(audit_since, Action.CASE_VIEW_SECTION)
    assert read.facts["sections"] == ["logistics"]
    edit = as_user(pia).get(reverse("cases:logistics_documents", args=[filled.pk]))
    assert edit.status_code == 403


def test_a_partner_with_logistics_and_identity_sees_the_companion(filled, carla, pia, as_user):
    make_share(filled, carla, user=pia, sections=("logistics", "identity"))
    html = page(as_user(pia), filled).content.decode()
    assert NAME in html and PASSPORT in html


def test_a_partner_without_logistics_and_an_auditor_get_404(filled, carla, pia, aud, as_user):
    make_share(filled, carla, user=pia, sections=("residency", "identity"))
    assert page(as_user(pia), filled).status_code == 404
    assert page(as_user(aud), filled).status_code == 404


def test_the_earlier_free_text_is_for_staff_only(case, carla, pia, olaf, as_user):
    from cases import services

    services.case_update(case=case, acting_user=carla, insurance="Old policy note 42")
    make_share(case, carla, user=pia, sections=("logistics",))
    assert "Old policy note 42" in page(as_user(olaf), case).content.decode()
    assert "Old policy note 42" not in page(as_user(pia), case).content.decode()


def test_a_journey_is_added_with_codes_upper_cased_and_the_cost_in_cents(case, olaf, as_user,
                                                                         audit_since):
    url = reverse("cases:logistics_leg_create", args=[case.pk])
    response = as_user(olaf).post(url, {
        "direction": "outbound", "travel_on": case.planned_arrival.isoformat(),
        "origin": "bog", "destination": "ams", "carrier": "KL", "booking_reference": "QQ9",
        "status": "booked", "cost": "612.40"})
    assert response.status_code == 302
    leg = TravelLeg.objects.get(case=case)
    assert (leg.origin, leg.destination, leg.cost) == ("BOG", "AMS", Decimal("612.40"))
    [event] = recorded(audit_since, Action.TRAVEL_LEG_CREATE)
    assert event.case_id == str(case.pk) and event.section == "logistics"
    assert "QQ9" not in str(event.facts) and "BOG" not in str(event.facts)


@pytest.mark.parametrize(("field", "value"), [
    ("origin", "AMSX"), ("origin", "A1S"), ("destination", ""), ("cost", "-1"),
    ("cost", "12.345"), ("cost", "lots"), ("travel_on", "31-02-2027"), ("status", "lost"),
])
def test_bad_journey_input_is_a_form_error_and_changes_nothing(case, olaf, as_user, field,
                                                               value, audit_since):
    data = {"direction": "outbound", "travel_on": case.planned_arrival.isoformat(),
            "origin": "BOG", "destination": "AMS", "status": "booked", field: value}
    response = as_user(olaf).post(reverse("cases:logistics_leg_create", args=[case.pk]), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not TravelLeg.objects.filter(case=case).exists()
    assert recorded(audit_since, Action.TRAVEL_LEG_CREATE) == []


def test_passport_and_visa_are_recorded_and_checked(case, olaf, as_user, audit_since):
    url = reverse("cases:logistics_documents", args=[case.pk])
    bad = as_user(olaf).post(url, {"passport_issued_on": "2020-01-01",
                                   "passport_expires_on": "2019-01-01",
                                   "visa_type": "c", "visa_decision": "granted"})
    assert bad.status_code == 400
    errors = bad.context["form"].errors
    assert {"passport_expires_on", "visa_valid_from", "visa_valid_until"} <= set(errors)
    assert not TravelDocuments.objects.filter(case=case).exists()
    good = as_user(olaf).post(url, {
        "passport_country": "CO", "passport_issued_on": "2020-01-01",
        "passport_expires_on": "2030-01-01", "visa_type": "c", "visa_decision": "granted",
        "visa_valid_from": case.planned_arrival.isoformat(),
        "visa_valid_until": case.planned_departure.isoformat(), "visa_entries": "single",
        "visa_appointment_on": "2026-12-20", "visa_appointment_at": "09:30"})
    assert good.status_code == 302
    row = TravelDocuments.objects.get(case=case, companion__isnull=True)
    assert row.passport_expires_on == datetime.date(2030, 1, 1)
    assert row.visa_appointment_at == "09:30"
    [event] = recorded(audit_since, Action.TRAVEL_DOCUMENTS_CHANGE)
    assert "passport_expires_on" in event.facts["fields"] and "2030" not in str(event.facts)


def test_every_write_is_audited(case, carla, audit_since):
    companion = logistics.companion_add(case=case, acting_user=carla, relationship="partner",
                                        legal_name=NAME)
    logistics.companion_update(companion=companion, acting_user=carla,
                               passport_number=PASSPORT)
    logistics.passport_visa_update(case=case, companion=companion, acting_user=carla,
                                   visa_type="none")
    logistics.insurance_update(case=case, companion=companion, acting_user=carla,
                               insurance_provider="X")
    leg = logistics.leg_create(case=case, acting_user=carla, direction="return",
                               travel_on=case.planned_departure, origin="AMS",
                               destination="BOG")
    logistics.leg_update(leg=leg, acting_user=carla, status="booked")
    logistics.leg_delete(leg=leg, acting_user=carla)
    logistics.companion_remove(companion=companion, acting_user=carla)
    actions = [e.action for e in recorded(audit_since)]
    assert actions == [Action.COMPANION_ADD, Action.COMPANION_CHANGE,
                       Action.TRAVEL_DOCUMENTS_CHANGE, Action.INSURANCE_CHANGE,
                       Action.TRAVEL_LEG_CREATE, Action.TRAVEL_LEG_CHANGE,
                       Action.TRAVEL_LEG_DELETE, Action.COMPANION_REMOVE]
    events = recorded(audit_since)
    assert all(e.case_id == str(case.pk) and e.subject_id for e in events)
    assert not any(NAME in str(e.facts) or PASSPORT in str(e.facts) for e in events)
    assert not Companion.objects.filter(case=case).exists()
    assert not TravelDocuments.objects.filter(case=case).exists()


def test_removing_asks_first(filled, olaf, as_user):
    leg = TravelLeg.objects.get(case=filled)
    url = reverse("cases:logistics_leg_delete", args=[filled.pk, leg.pk])
    client = as_user(olaf)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 200 and TravelLeg.objects.filter(pk=leg.pk).exists()
    assert client.post(url, {"confirmed": "1"}).status_code == 302
    assert not TravelLeg.objects.filter(pk=leg.pk).exists()


def test_a_row_of_another_case_is_not_found(filled, carla, olaf, as_user):
    from tests.factories import make_case

    other = make_case(carla, code_name="Other", legal_name="O", passport_number="O1")
    leg = TravelLeg.objects.get(case=filled)
    companion = Companion.objects.get(case=filled)
    client = as_user(olaf)
    assert client.get(reverse("cases:logistics_leg_edit", args=[other.pk, leg.pk])
                      ).status_code == 404
    assert client.get(reverse("cases:logistics_companion_edit",
                              args=[other.pk, companion.pk])).status_code == 404


def test_the_logistics_tab_is_offered_to_who_may_see_it(filled, carla, olaf, pia, as_user):
    url = reverse("cases:logistics", args=[filled.pk])
    profile = reverse("cases:profile", args=[filled.pk])
    assert url in as_user(olaf).get(profile).content.decode()
    make_share(filled, carla, user=pia, sections=("residency",))
    assert url not in as_user(pia).get(profile).content.decode()


def test_the_case_history_tells_the_logistics_changes_in_words(filled, carla):
    from cases.history import case_history

    entries = case_history(carla, filled)
    whats = {e.what for e in entries}
    assert {"Travel leg added", "Accompanying person added"} <= whats
    assert {e.section for e in entries if e.what == "Travel leg added"} == {"logistics"}
    assert not any(NAME in e.detail or BOOKING in e.detail for e in entries)
