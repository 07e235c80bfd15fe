"""At rest: booking references, policy numbers, an accompanying person's name and passport
number, the passport country and the documents' dates are ciphertext under the case key; they
die with it (crypto-shredding), `verify_encryption` checks them, and the defender's
subject-access export holds them."""

from __future__ import annotations

import datetime
import json

from django.core.management import call_command
from django.urls import reverse

from cases import services
from cases.logistics import services as logistics
from cases.logistics.models import Companion, TravelDocuments, TravelLeg
from tests.factories import make_logistics
from tests.rawscan import tables_containing

BOOKING = "BOOKREF-QX7781"
POLICY = "POLICY-ZZ-4412"
NAME = "Lucía Marker-Quintero"
PASSPORT = "CMP-55667788"


def fill(case, carla):
    make_logistics(case, carla, insurance_policy_number=POLICY)
    companion = logistics.companion_add(case=case, acting_user=carla, relationship="child",
                                        legal_name=NAME, date_of_birth=datetime.date(2015, 3, 4),
                                        nationality="CO", passport_number=PASSPORT)
    logistics.leg_create(case=case, acting_user=carla, companion=companion, direction="outbound",
                         travel_on=case.planned_arrival, origin="BOG", destination="AMS",
                         carrier="KL", booking_reference=BOOKING, status="booked")
    return companion


def test_identifying_values_are_ciphertext_at_rest(case, carla):
    companion = fill(case, carla)
    assert tables_containing([BOOKING.encode(), POLICY.encode(), NAME.encode(),
                              PASSPORT.encode(), b"Lu\xc3\xada"]) == []
    fresh = Companion.objects.get(pk=companion.pk)
    assert (fresh.legal_name, fresh.passport_number) == (NAME, PASSPORT)
    assert fresh.passport_bidx  # exact-match search, without the number
    assert TravelLeg.objects.get(companion=companion).booking_reference == BOOKING


def test_crypto_shredding_the_case_makes_the_logistics_unreadable(case, carla):
    companion = fill(case, carla)
    services.case_shred(case=case, acting_user=None, reason="retention")
    row = TravelDocuments.objects.filter(case=case, companion__isnull=True).first()
    for read in (lambda: row.insurance_policy_number,
                 lambda: Companion.objects.get(pk=companion.pk).legal_name,
                 lambda: TravelLeg.objects.filter(case=case).first().booking_reference):
        try:
            value = read()
        except Exception as exc:  # noqa: BLE001  (KeyShredded, whatever wraps it)
            assert "Shredded" in type(exc).__name__
        else:
            raise AssertionError(f"readable after shredding: {value!r}")
    assert Companion.objects.get(pk=companion.pk).passport_bidx is None  # index cleared too


def test_verify_encryption_checks_the_new_values(case, carla, capsys):
    fill(case, carla)
    call_command("verify_encryption", "--skip-documents")
    out = capsys.readouterr().out
    assert "failed" not in out and "values ok" in out


def test_the_subject_access_export_holds_the_logistics(case, carla, as_fresh_user):
    fill(case, carla)
    response = as_fresh_user(carla).post(reverse("cases:export", args=[case.pk]))
    assert response.status_code == 200
    data = json.loads(response.content)
    logistics_data = data["cases"][0]["logistics"]
    person = logistics_data["accompanying_persons"][0]
    assert person == {"number": 1, "relationship": "child",
                      "identity": "withheld: another person's data"}
    assert NAME not in response.content.decode() and PASSPORT not in response.content.decode()
    references = {j["booking_reference"] for j in logistics_data["journeys"]}
    assert BOOKING in references and {j["cost"] for j in logistics_data["journeys"]} == {None}
    defender_docs = next(d for d in logistics_data["travel_documents"]
                         if d["accompanying_person"] is None)
    assert defender_docs["insurance_policy_number"] == POLICY
    assert defender_docs["visa_type"] == "c"
