"""Demo logistics for `manage.py seed_demo`: passports, visas, insurance and journeys for the
demo cases from "Accepted" on, an accompanying person for one, and one case (Shrike) whose
insurance ends before the stay does, so the warning shows on its page and the dashboard.

Made through the services (audited like real work). Idempotent: a case that already has any
travel documents is left alone. Everyone is invented; typed-in values are Dutch, like the rest
of the demo.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from cases.choices import Stage
from cases.logistics import services
from cases.logistics.models import TravelDocuments, TravelLeg
from cases.models import Case
from shelter.accounts.models import User

# code name -> (origin airport, carrier)
ROUTES = {"Osprey": ("HRE", "KLM"), "Plover": ("TAS", "Turkish Airlines"),
          "Egret": ("LIM", "KLM"), "Swift": ("ISB", "Qatar Airways"),
          "Curlew": ("GYD", "Lufthansa"), "Ibis": ("ALG", "Air Algérie"),
          "Shrike": ("JNB", "KLM")}
VISA_FREE = {"Egret"}  # Peru: no short-stay visa needed for the Schengen area
DONE = (Stage.IN_RESIDENCE, Stage.DEPARTED, Stage.FOLLOW_UP)


def _seed_case(case: Case, actor: User | None, origin: str, carrier: str) -> None:
    arrival = case.actual_arrival or case.planned_arrival
    departure = case.actual_departure or case.planned_departure
    code = case.defender.code_name
    visa = ({"visa_type": "none"} if code in VISA_FREE else {
        "visa_type": "c", "visa_applied_on": arrival - datetime.timedelta(days=60),
        "visa_appointment_on": arrival - datetime.timedelta(days=50),
        "visa_appointment_at": "10:30",
        **({"visa_decision": "pending"} if case.stage == Stage.ACCEPTED else {
            "visa_decision": "granted", "visa_decided_on": arrival - datetime.timedelta(30),
            "visa_valid_from": arrival - datetime.timedelta(days=3),
            "visa_valid_until": departure + datetime.timedelta(days=7),
            "visa_entries": "single"})})
    services.passport_visa_update(
        case=case, acting_user=actor, passport_country=case.defender.country_of_activity.code,
        passport_issued_on=arrival - datetime.timedelta(days=3 * 365),
        passport_expires_on=arrival + datetime.timedelta(days=7 * 365), **visa)
    # Shrike's insurance was taken out for a shorter stay: the demo's warning.
    until = departure - datetime.timedelta(days=10) if code == "Shrike" else departure
    services.insurance_update(case=case, acting_user=actor,
                              insurance_provider="Demo Reisverzekering",
                              insurance_policy_number=f"DEMO-POL-{code.upper()}",
                              insurance_from=arrival, insurance_until=until)
    if case.stage == Stage.ACCEPTED:
        return
    flown = case.stage in DONE
    services.leg_create(case=case, acting_user=actor, direction=TravelLeg.Direction.OUTBOUND,
                        travel_on=arrival, origin=origin, destination="AMS", carrier=carrier,
                        booking_reference=f"DM{code[:3].upper()}1",
                        status=TravelLeg.Status.FLOWN if flown else TravelLeg.Status.BOOKED,
                        cost=Decimal("642.50"))
    services.leg_create(case=case, acting_user=actor, direction=TravelLeg.Direction.RETURN,
                        travel_on=departure, origin="AMS", destination=origin, carrier=carrier,
                        booking_reference=f"DM{code[:3].upper()}2",
                        status=(TravelLeg.Status.FLOWN if case.actual_departure
                                else TravelLeg.Status.BOOKED), cost=Decimal("598.00"))
    if code == "Plover":  # the rare exception: travels with her daughter
        child = services.companion_add(
            case=case, acting_user=actor, relationship="child", legal_name="Demo Kind Karimova",
            date_of_birth=datetime.date(2016, 5, 9), nationality="UZ",
            passport_number="DEMO-UZ-004-K")
        services.passport_visa_update(
            case=case, companion=child, acting_user=actor, passport_country="UZ",
            passport_issued_on=datetime.date(2022, 6, 1),
            passport_expires_on=arrival + datetime.timedelta(days=4 * 365), **visa)
        services.insurance_update(case=case, companion=child, acting_user=actor,
                                  insurance_provider="Demo Reisverzekering",
                                  insurance_policy_number="DEMO-POL-PLOVER-K",
                                  insurance_from=arrival, insurance_until=departure)
        services.leg_create(case=case, acting_user=actor, companion=child,
                            direction=TravelLeg.Direction.OUTBOUND, travel_on=arrival,
                            origin=origin, destination="AMS", carrier=carrier,
                            booking_reference="DMPLO3", status=TravelLeg.Status.BOOKED,
                            cost=Decimal("480.00"))


def seed(stdout: io.TextIOBase) -> None:
    actor = User.objects.filter(email="carla@demo.shelter.test").first()
    made = 0
    cases = (Case.objects.filter(defender__code_name__in=ROUTES, shredded_at__isnull=True)
             .select_related("defender").order_by("defender__code_name"))
    for case in cases:
        if TravelDocuments.objects.filter(case=case).exists() or not case.planned_arrival:
            continue
        origin, carrier = ROUTES[case.defender.code_name]
        _seed_case(case, actor, origin, carrier)
        made += 1
    stdout.write(f"Demo logistics: {made} cases filled.")
