"""The subject-access export (GDPR art. 15): everything held about one defender, as JSON.

Every value is turned into a plain JSON value here, field by field: dates as ISO strings, choices
as their codes, related objects as ids, code names or labels. `plain` refuses anything else, so a
model instance can never reach the encoder (where it once failed after the export was already
recorded). The export is recorded only once the whole file is built.

With it goes the defender's report of what happened with their data (`processing`): per
processing activity of the register and its version, when first and last, how often, by which
roles and organisations (shelter.audit.processing_log). It lists only this defender's entries
and names no member of staff.

Deliberately left out: document contents (each document is downloaded separately, recorded on
its own), housing addresses (they protect the unit and whoever stays there next; the unit's code
name and the dates are given), and staff names (a share names the receiving organisation).
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django_countries.fields import Country

from cases import policies
from cases.logistics.models import TravelDocuments, TravelLeg
from cases.models import Case, Defender
from cases.selectors import visible_cases, with_policy_facts
from shelter import audit
from shelter.accounts.models import User
from shelter.audit import Action
from shelter.audit.processing_log import processing_report
from shelter.forms import editable_field_names

FORMAT_VERSION = 2  # 2: with the report of what happened with the data ("processing")


def exported_fields(model: type[models.Model]) -> list[str]:
    """The values a row holds about the subject: its editable fields that are not relations
    (related rows are exported on their own, staff are left out), and when it was made and
    last changed."""
    return [*(name for name in editable_field_names(model)
              if not model._meta.get_field(name).is_relation), "created_at", "updated_at"]


def plain(value: Any) -> Any:
    """`value` as a JSON value; TypeError for anything that is not plain data."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):  # money: the exact amount as text ("1234.50"), never float
        return str(value)
    if isinstance(value, Country):  # a country of activity: its ISO code, as stored
        return value.code
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    raise TypeError(f"not exportable as a plain value: {type(value).__name__}")


def _values(instance: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: plain(getattr(instance, name)) for name in names}


def _intake_round(case: Case) -> dict[str, Any] | None:
    r = case.intake_round
    return None if r is None else {"id": plain(r.pk), **_values(
        r, ["name", "opens_on", "closes_on", "decision_on"])}


def _documents(case: Case) -> list[dict[str, Any]]:
    return [{"id": plain(d.pk), "replaces": plain(d.replaces_id), **_values(
        d, ["category", "version", "original_filename", "content_type", "size", "sha256",
            "uploaded_at", "deleted_at"])} for d in case.documents.all()]


def _tasks(case: Case) -> list[dict[str, Any]]:
    return [{"task": t.title_key, "title": str(t.title), **_values(
        t, ["stage", "due_on", "done_at", "created_at"])} for t in case.tasks.all()]


def _bookings(case: Case) -> list[dict[str, Any]]:
    return [{"unit": b.unit.code_name, **_values(
        b, ["start", "end", "status", "reason", "note", "created_at", "confirmed_at",
            "cancelled_at"])} for b in case.bookings.all()]


def _shares(case: Case) -> list[dict[str, Any]]:
    rows = []
    for s in case.shares.all():
        receiver = s.grantee_organisation or (s.grantee_user.organisation
                                              if s.grantee_user else None)
        rows.append({"shared_with_organisation": receiver.name if receiver else None,
                     "shared_with_a_person": s.grantee_user_id is not None,
                     **_values(s, ["sections", "mode", "reason", "consent_on", "is_override",
                                   "override_reason", "granted_at", "expires_at", "revoked_at",
                                   "revoke_reason"])})
    return rows


def _logistics(case: Case) -> dict[str, Any]:
    """The residency's logistics: each traveller's documents, the journeys, and the
    accompanying persons by number and relationship only. Their name, date of birth,
    nationality and passport number are another person's data (GDPR art. 15(4)): withheld
    here; the accompanying person asks for their own."""
    numbers = {c.pk: c.number for c in case.companions.all()}
    document_fields = [n for n in exported_fields(TravelDocuments) if n != "created_at"]
    return {
        "travel_documents": [{"accompanying_person": numbers.get(d.companion_id),
                              **_values(d, document_fields)}
                             for d in case.travel_documents.all()],
        "journeys": [{"accompanying_person": numbers.get(leg.companion_id),
                      **_values(leg, [n for n in exported_fields(TravelLeg)
                                      if n != "cost"]),
                      "cost": None if leg.cost is None else str(leg.cost)}
                     for leg in case.travel_legs.all()],
        "accompanying_persons": [{"number": c.number, "relationship": c.relationship,
                                  "identity": "withheld: another person's data"}
                                 for c in case.companions.all()],
    }


def _case(user: User, case: Case) -> dict[str, Any]:
    notes = list(case.notes.all())
    readable = [n for n in notes if policies.can_view_note_category(user, case, n.category)]
    return {
        "id": plain(case.pk), **_values(case, exported_fields(Case)),
        "intake_round": _intake_round(case),
        "stage_history": [_values(t, ["from_stage", "to_stage", "reason", "created_at"])
                          for t in case.transitions.all()],
        "tasks": _tasks(case),
        "programme": [_values(a, ["day", "kind", "starts", "ends", "title", "place", "details",
                                  "cancelled_at"]) for a in case.activities.all()],
        "notes": [_values(n, ["category", "body", "created_at", "updated_at"]) for n in readable],
        "notes_withheld": len(notes) - len(readable),
        "documents": _documents(case),
        "bookings": _bookings(case),
        "logistics": _logistics(case),
        "shares": _shares(case),
        "break_glass_openings": [_values(b, ["reason", "opened_at", "expires_at"])
                                 for b in case.break_glass.all()],
        "budget_lines": [{"funder": line.funder.name, **_values(
            line, ["category", "planned_amount", "planned_on", "description", "created_at"])}
            for line in case.budget_lines.all()],
        "payments": [_values(p, ["due_on", "paid_on", "amount", "method", "reference",
                                 "status", "created_at"]) for p in case.payments.all()],
    }


def _export_cases(user: User, defender: Defender) -> list[Case]:
    return list(
        with_policy_facts(visible_cases(user), user)
        .filter(defender=defender, shredded_at__isnull=True)
        .select_related("intake_round").order_by("created_at")
        .prefetch_related("notes", "transitions", "documents", "tasks", "activities",
                          "bookings__unit", "travel_documents", "travel_legs", "companions",
                          "shares__grantee_organisation",
                          "shares__grantee_user__organisation", "break_glass",
                          "budget_lines__funder", "payments"))


def subject_access_export(user: User, defender: Defender) -> str:
    """The export as JSON text: `defender` and their cases that `user` may see.

    The caller checked `policies.can_export_subject_data`. Restricted notes are included only
    where the user may read them. The file is built completely first; only then is the export
    of each case recorded (one transaction), so a failed build leaves no record and no file,
    and no file leaves without its record.
    """
    cases = _export_cases(user, defender)
    data = {"format": FORMAT_VERSION, "defender": {"id": plain(defender.pk),
                                                   **_values(defender, exported_fields(Defender))},
            "cases": [_case(user, case) for case in cases],
            "processing": processing_report(defender.pk)}
    text = json.dumps(data, indent=2, ensure_ascii=False)
    with transaction.atomic():
        for case in cases:
            audit.record(user, Action.CASE_EXPORT, case, defender_id=defender.pk)
    return text
