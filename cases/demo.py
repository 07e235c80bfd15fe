"""Demo cases for `manage.py seed_demo`: a dozen invented defenders across every stage.

Everything is made through the services (so stage histories, checklists and audit entries are
real). Idempotent: a code name that already exists is skipped. All people are invented.

The texts are typed-in content (activity titles, notes, reasons), sealed under the case's key
like everything staff write, so they cannot be translated when a page is shown. They are
seeded in Dutch, the municipality's working language and the app's default, as staff of a
Dutch municipality would write them; an English page shows them as entered.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

from cases import services
from cases.choices import DocumentCategory, NoteCategory, Stage
from cases.models import Case, Defender, IntakeRound
from cases.sharing.models import CaseShare
from cases.sharing.services import share_grant
from shelter.accounts.models import User
from shelter.crypto.uploads import EncryptingUploadHandler

PATH = [Stage.UNDER_REVIEW, Stage.ACCEPTED, Stage.PREPARING_ARRIVAL, Stage.IN_RESIDENCE,
        Stage.DEPARTED, Stage.FOLLOW_UP, Stage.CLOSED]

# code name, invented legal name, passport, country, field of work, final stage, arrival offset
DEMO = [
    ("Heron", "Ana Demo Pérez", "DEMO-CO-001", "CO", "environment", Stage.NOMINATED, 120),
    ("Kestrel", "Bilal Demo Haddad", "DEMO-SY-002", "SY", "journalism", Stage.UNDER_REVIEW, 100),
    ("Osprey", "Chipo Demo Moyo", "DEMO-ZW-003", "ZW", "lgbtiq", Stage.ACCEPTED, 70),
    ("Plover", "Dilnoza Demo Karimova", "DEMO-UZ-004", "UZ", "women", Stage.PREPARING_ARRIVAL, 20),
    ("Egret", "Esteban Demo Quispe", "DEMO-PE-005", "PE", "indigenous", Stage.IN_RESIDENCE, -30),
    ("Swift", "Farah Demo Siddiqui", "DEMO-PK-006", "PK", "legal", Stage.IN_RESIDENCE, -75),
    ("Curlew", "Gulnara Demo Aliyeva", "DEMO-AZ-007", "AZ", "journalism", Stage.DEPARTED, -100),
    ("Ibis", "Hamza Demo Benali", "DEMO-DZ-008", "DZ", "labour", Stage.FOLLOW_UP, -160),
    ("Avocet", "Ines Demo Lopes", "DEMO-AO-009", "AO", "environment", Stage.CLOSED, -400),
    ("Tern", "Jamal Demo Okafor", "DEMO-NG-010", "NG", "legal", Stage.REJECTED, 90),
    ("Wren", "Karla Demo Méndez", "DEMO-HN-011", "HN", "women", Stage.WITHDRAWN, 45),
    ("Shrike", "Lwazi Demo Dlamini", "DEMO-ZA-012", "ZA", "labour", Stage.PREPARING_ARRIVAL, 35),
]


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _dates(offset: int) -> dict[str, Any]:
    today = datetime.date.today()
    arrival = today + datetime.timedelta(days=offset)
    return {"nominated_on": min(arrival, today) - datetime.timedelta(days=90),
            "planned_arrival": arrival, "planned_departure": arrival + datetime.timedelta(90)}


def _walk(case: Case, final: str, actor: User | None) -> None:
    """Move `case` along the lifecycle to `final` (exits leave from Under review)."""
    if final == Stage.NOMINATED:
        return
    steps = PATH[:PATH.index(final) + 1] if final in PATH else [Stage.UNDER_REVIEW, final]
    today = datetime.date.today()
    for stage in steps:
        if stage == Stage.IN_RESIDENCE:
            services.case_update(case=case, acting_user=actor,
                                 actual_arrival=min(case.planned_arrival, today))
        if stage == Stage.DEPARTED:
            services.case_update(case=case, acting_user=actor,
                                 actual_departure=min(case.planned_departure, today))
        services.case_transition(case=case, to=stage, acting_user=actor,
                                 reason="Demo: besloten door de selectiecommissie.")


def _round(carla: User | None) -> IntakeRound:
    today = datetime.date.today()
    existing = IntakeRound.objects.filter(name="Demoronde").first()
    return existing or services.round_create(
        acting_user=carla, name="Demoronde", opens_on=today - datetime.timedelta(days=200),
        closes_on=today - datetime.timedelta(days=150),
        decision_on=today - datetime.timedelta(days=120), places=8)


def _programme(case: Case, actor: User | None) -> None:
    start = max(case.actual_arrival or datetime.date.today(), datetime.date.today())
    for days, starts, kind, title in [(1, "10:00", "meeting", "Welkomstgesprek"),
                                      (3, "14:00", "lecture", "Gastcollege (demo)"),
                                      (8, "09:30", "training", "Training digitale veiligheid")]:
        services.activity_create(case=case, acting_user=actor, kind=kind, title=title,
                                 day=start + datetime.timedelta(days=days), starts=starts)


def _seed_one(row: tuple, carla: User | None, officers: list[User | None], i: int) -> Case:
    code, name, passport, country, field, final, offset = row
    defender = services.defender_create(
        acting_user=carla, code_name=code, legal_name=name, passport_number=passport,
        country_of_activity=country, field_of_work=field, languages="Engels",
        phone=f"+00 000 0000 {i:03}", email=f"{code.lower()}@example.invalid")
    case = services.case_create(defender=defender, acting_user=carla,
                                assigned_officer=officers[i % len(officers)],
                                risk_level=["low", "medium", "high"][i % 3],
                                intake_round=_round(carla), **_dates(offset))
    _walk(case, final, carla)
    if final == Stage.IN_RESIDENCE:
        _programme(case, carla)
    services.note_create(case=case, category=NoteCategory.GENERAL, acting_user=carla,
                         body="Demonotitie: eerste contact via het nationale coördinatiepunt.")
    if i % 3 == 0:
        services.note_create(case=case, category=NoteCategory.MEDICAL, acting_user=carla,
                             body="Demonotitie (vertrouwelijk): heeft liever een vrouwelijke arts.")
    return case


def _demo_document(case: Case, actor: User | None) -> None:
    handler = EncryptingUploadHandler()
    handler.new_file("file", "programma-demo.txt", "text/plain", None)
    content = (b"Demoprogramma: gesprekken met de gemeenteraad en een gastcollege aan de "
               b"universiteit.\n")
    handler.receive_data_chunk(content, 0)
    upload = handler.file_complete(len(content))
    services.document_upload(case=case, upload=upload, category=DocumentCategory.PROGRAMME,
                             acting_user=actor)


def seed(stdout: io.TextIOBase) -> None:
    carla = _user("carla@demo.shelter.test")
    officers = [_user("olaf@demo.shelter.test"), _user("otto@demo.shelter.test")]
    made = 0
    for i, row in enumerate(DEMO):
        if Defender.objects.filter(code_name=row[0]).exists():
            continue
        case = _seed_one(row, carla, officers, i)
        _demo_document(case, carla)
        made += 1
    stdout.write(f"Demo cases: {made} created, {len(DEMO) - made} already present.")
    _seed_shares(carla)


# code name, grantee e-mail (a user) or None (the user's whole organisation), sections, mode
DEMO_SHARES = [
    ("Egret", "pia@demo.shelter.test", ["residency", "documents.programme", "housing"], "read"),
    ("Swift", None, ["identity", "contact", "documents", "notes.general"], "contribute"),
]


def _seed_shares(carla: User) -> None:
    """Shares for the partner personas, so a newcomer can see what a partner sees. Skipped when
    the case already has any share (idempotent)."""
    pia = _user("pia@demo.shelter.test")
    if pia is None or carla is None:
        return
    today = datetime.date.today()
    for code_name, email, sections, mode in DEMO_SHARES:
        case = Case.objects.filter(defender__code_name=code_name).first()
        if case is None or CaseShare.objects.filter(case=case).exists():
            continue
        share_grant(case=case, grantee_user=_user(email) if email else None,
                    grantee_organisation=None if email else pia.organisation,
                    sections=sections, mode=mode, expires_on=today + datetime.timedelta(days=60),
                    reason="Demo: ondersteuning bij het programma", consent_on=today,
                    acting_user=carla)
