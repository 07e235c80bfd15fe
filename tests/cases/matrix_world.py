"""The world of the case permission matrix: one case full of markers (the actors and their
shares come from the shared base, `tests.matrix`).

Every marker is a distinctive value that can only reach a page through the section it belongs
to, so "exactly the permitted sections" is asserted on rendered content.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.choices import DOCUMENT_CATEGORIES, NOTE_CATEGORIES
from cases.logistics import services as logistics
from cases.models import Document
from shelter.accounts.models import Organisation
from tests.factories import make_case, make_share, make_user, verified_client

DAY = timezone.localdate() + datetime.timedelta(days=3)
LEGAL_NAME = "Zenobia Quirós-Marker"
PASSPORT = "PQ-778899"
PHONE = "+57 311 424 2424"
RETURN_PLAN = "RETURN-PLAN-MARKER-7731"
ACTIVITY = "ACTIVITY-MARKER-5521"
CODE_NAME = "Kestrel"
BOOKING = "BOOKING-MARKER-9911"
COMPANION = "Companion Marker-Ortega"
MARKERS = {
    "basic": CODE_NAME.encode(), "identity": LEGAL_NAME.encode(), "contact": PHONE.encode(),
    "residency": RETURN_PLAN.encode(), "programme": ACTIVITY.encode(),
    "logistics": BOOKING.encode(), "logistics.identity": COMPANION.encode(),
    **{f"documents.{c}": f"file-{c}-marker.pdf".encode() for c in DOCUMENT_CATEGORIES},
    **{f"notes.{c}": f"NOTE-{c}-MARKER".encode() for c in NOTE_CATEGORIES},
}
CONTENT = {c: f"CONTENT OF THE {c} DOCUMENT".encode() for c in DOCUMENT_CATEGORIES}


@dataclass
class World:
    case: object
    documents: dict
    round_id: object
    revocable: object
    client: object = None
    fresh: object = None
    extra: dict = field(default_factory=dict)


def upload_file(category: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"file-{category}-marker.pdf", CONTENT[category],
                              content_type="application/pdf")


def _upload(case, category: str, carla) -> Document:
    client = verified_client(carla)
    client.post(reverse("cases:document_upload", args=[case.pk]), {
        "file": upload_file(category), "category": category})
    return Document.objects.get(case=case, category=category)


def build_case(carla, olaf):
    case = make_case(carla, code_name=CODE_NAME, legal_name=LEGAL_NAME, passport_number=PASSPORT,
                     officer=olaf, return_plan=RETURN_PLAN)
    services.defender_update(defender=case.defender, acting_user=carla, phone=PHONE)
    services.activity_create(case=case, acting_user=carla, day=DAY, starts="10:00",
                             title=ACTIVITY, kind="meeting")
    for category in NOTE_CATEGORIES:
        services.note_create(case=case, category=category, acting_user=olaf,
                             body=f"NOTE-{category}-MARKER")
    documents = {c: _upload(case, c, carla) for c in DOCUMENT_CATEGORIES}
    companion = logistics.companion_add(case=case, acting_user=carla, relationship="child",
                                        legal_name=COMPANION)
    logistics.leg_create(case=case, acting_user=carla, direction="outbound", travel_on=DAY,
                         origin="BOG", destination="AMS", booking_reference=BOOKING,
                         companion=companion)
    services.case_transition(case=case, to="under_review", acting_user=carla, reason="probe")
    case.refresh_from_db()
    return case, documents


def shred(world: World) -> None:
    """Crypto-shred the case after the actor and its share exist (shares need the case key)."""
    services.case_shred(case=world.case, acting_user=None, reason="retention")
    world.case.refresh_from_db()


def build_world(carla, olaf) -> World:
    case, documents = build_case(carla, olaf)
    intake = services.round_create(acting_user=carla, name="Probe round",
                                   opens_on=DAY, closes_on=DAY)
    outsider_org = Organisation.objects.create(name="Outsider", kind="other")
    outsider = make_user("outsider@example.org", "Partner", outsider_org)
    revocable = make_share(case, carla, user=outsider)
    return World(case=case, documents=documents, round_id=intake.pk, revocable=revocable)
