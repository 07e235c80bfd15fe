"""Writes to a case's logistics: one business event per function, keyword-only arguments, the
`acting_user`, one transaction, its audit record inside it (the case id and the defender's
pseudonym in their columns, the names of the fields changed: never a value). Callers checked
the permission (`cases.access.access_case(..., "logistics", write=True)`).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from cases.logistics.models import Companion, TravelDocuments, TravelLeg
from cases.models import Case
from shelter import audit
from shelter.accounts.models import User
from shelter.audit import Action
from shelter.forms import editable_field_names

SECTION = "logistics"
PASSPORT_VISA_FIELDS = frozenset(
    name for name in editable_field_names(TravelDocuments)
    if name.startswith(("passport_", "visa_")))
INSURANCE_FIELDS = frozenset(
    name for name in editable_field_names(TravelDocuments) if name.startswith("insurance_"))
LEG_FIELDS = frozenset(editable_field_names(TravelLeg)) - {"case"}
COMPANION_FIELDS = frozenset(editable_field_names(Companion)) - {"case"}
BLIND_INDEXES = {"passport_number": ["passport_bidx"]}


def _assign(instance: Any, values: dict[str, Any], allowed: frozenset[str]) -> list[str]:
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for name, value in values.items():
        setattr(instance, name, value)
    return sorted(values)


def _documents_row(case: Case, companion: Companion | None) -> TravelDocuments:
    """The traveller's row, locked (made on first use)."""
    rows = TravelDocuments.objects.select_for_update().filter(case=case)
    row = (rows.filter(companion=companion) if companion is not None
           else rows.filter(companion__isnull=True)).first()
    return row or TravelDocuments(case=case, companion=companion)


def _save_documents(case: Case, companion: Companion | None, values: dict[str, Any],
                    allowed: frozenset[str], action: Action, acting_user: User
                    ) -> TravelDocuments:
    Case.objects.select_for_update().filter(pk=case.pk).first()
    row = _documents_row(case, companion)
    fields = _assign(row, values, allowed)
    row.save()
    audit.record(acting_user, action, row, case=case, section=SECTION, fields=fields,
                 companion_id=companion.pk if companion else None)
    return row


@transaction.atomic
def passport_visa_update(*, case: Case, acting_user: User, companion: Companion | None = None,
                         **values: Any) -> TravelDocuments:
    """Record a traveller's passport dates and country and their visa (TRAVEL_DOCUMENTS_CHANGE).
    `companion` None: the defender."""
    return _save_documents(case, companion, values, PASSPORT_VISA_FIELDS,
                           Action.TRAVEL_DOCUMENTS_CHANGE, acting_user)


@transaction.atomic
def insurance_update(*, case: Case, acting_user: User, companion: Companion | None = None,
                     **values: Any) -> TravelDocuments:
    """Record a traveller's insurance: provider, policy number, cover (INSURANCE_CHANGE)."""
    return _save_documents(case, companion, values, INSURANCE_FIELDS, Action.INSURANCE_CHANGE,
                           acting_user)


@transaction.atomic
def leg_create(*, case: Case, acting_user: User, **values: Any) -> TravelLeg:
    """Add a travel leg (TRAVEL_LEG_CREATE: its direction and status, codes only)."""
    companion = values.get("companion")
    if companion is not None and companion.case_id != case.pk:
        raise ValueError("the traveller is not of this case")
    leg = TravelLeg(case=case)
    _assign(leg, values, LEG_FIELDS)
    leg.save()
    audit.record(acting_user, Action.TRAVEL_LEG_CREATE, leg, case=case, section=SECTION,
                 direction=leg.direction, status=leg.status)
    return leg


@transaction.atomic
def leg_update(*, leg: TravelLeg, acting_user: User, **values: Any) -> TravelLeg:
    """Change a travel leg (TRAVEL_LEG_CHANGE, the names of the fields changed)."""
    companion = values.get("companion")
    if companion is not None and companion.case_id != leg.case_id:
        raise ValueError("the traveller is not of this case")
    fields = _assign(leg, values, LEG_FIELDS)
    leg.save()
    audit.record(acting_user, Action.TRAVEL_LEG_CHANGE, leg, case=leg.case, section=SECTION,
                 fields=fields, status=leg.status)
    return leg


@transaction.atomic
def leg_delete(*, leg: TravelLeg, acting_user: User) -> None:
    """Remove a travel leg (TRAVEL_LEG_DELETE, its id)."""
    case, leg_id = leg.case, leg.pk
    audit.record(acting_user, Action.TRAVEL_LEG_DELETE, ("logistics.travelleg", leg_id),
                 case=case, section=SECTION, direction=leg.direction)
    leg.delete()


@transaction.atomic
def companion_add(*, case: Case, acting_user: User, **values: Any) -> Companion:
    """Add an accompanying person, numbered after the others (COMPANION_ADD)."""
    Case.objects.select_for_update().filter(pk=case.pk).first()
    last = Companion.objects.filter(case=case).aggregate(n=Max("number"))["n"] or 0
    companion = Companion(case=case, number=last + 1)
    _assign(companion, values, COMPANION_FIELDS)
    companion.save()
    audit.record(acting_user, Action.COMPANION_ADD, companion, case=case, section=SECTION,
                 number=companion.number)
    return companion


@transaction.atomic
def companion_update(*, companion: Companion, acting_user: User, **values: Any) -> Companion:
    """Change an accompanying person (COMPANION_CHANGE, the names of the fields changed)."""
    fields = _assign(companion, values, COMPANION_FIELDS)
    indexes = {index for source, names in BLIND_INDEXES.items() if source in fields
               for index in names}
    companion.save(update_fields=[*fields, *sorted(indexes), "updated_at"])
    audit.record(acting_user, Action.COMPANION_CHANGE, companion, case=companion.case,
                 section=SECTION, fields=fields)
    return companion


@transaction.atomic
def companion_remove(*, companion: Companion, acting_user: User) -> None:
    """Remove an accompanying person with their documents and legs (COMPANION_REMOVE)."""
    case, companion_id = companion.case, companion.pk
    legs = TravelLeg.objects.filter(companion=companion).count()
    audit.record(acting_user, Action.COMPANION_REMOVE, ("logistics.companion", companion_id),
                 case=case, section=SECTION, number=companion.number, legs=legs)
    TravelLeg.objects.filter(companion=companion).delete()
    TravelDocuments.objects.filter(companion=companion).delete()
    companion.delete()
