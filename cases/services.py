"""Writes to cases: each function is one business event, and the only place cases change.

Every service takes keyword-only arguments and the `acting_user`, runs in one transaction and
writes its audit record inside it, so a change without its record cannot exist. Services assume
the caller checked permission with `cases.policies` (views do, before calling).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import lifecycle, policies
from cases.choices import Stage, allowed_next
from cases.models import (
    Activity,
    Case,
    CaseTransition,
    Defender,
    Document,
    IntakeRound,
    LegalHold,
    Note,
    Task,
)
from shelter import audit
from shelter.accounts.models import User
from shelter.audit import Action
from shelter.crypto.api import (
    KeyShredded,
    delete_document_file,
    shred_case_key,
    shred_defender_key,
)
from shelter.forms import editable_field_names

# What a service may set: the models' editable fields. A case's stage changes only through
# `case_transition`, and its defender is fixed when it is opened.
DEFENDER_FIELDS = frozenset(editable_field_names(Defender))
CASE_FIELDS = frozenset(editable_field_names(Case)) - {"defender", "stage"}
ROUND_FIELDS = frozenset(editable_field_names(IntakeRound))
# The residency's earlier free text, before logistics were structured (`cases.logistics`): no
# form edits it any more; the logistics page shows it read-only to staff.
LEGACY_LOGISTICS_FIELDS = frozenset({"visa_status", "travel", "insurance", "allowance",
                                     "accompanying_persons"})
# Blind indexes that must be recomputed when their source field changes.
BLIND_INDEXES = {"legal_name": ["legal_name_bidx", "name_tokens"],
                 "passport_number": ["passport_bidx"], "other_names": ["name_tokens"]}


class CaseHeld(Exception):
    """The case is under an active legal hold: it may not be crypto-shredded."""


class HoldError(Exception):
    """A legal hold that cannot be placed or lifted as asked (one is active already, the case
    is a tombstone, the hold was lifted meanwhile); `message` is translated, for users."""

    def __init__(self, message: str) -> None:
        self.message = str(message)
        super().__init__(self.message)


class TransitionError(Exception):
    """A stage change that the lifecycle does not allow; `messages` are translated, for users.
    `overridable` is True when every failure may be overridden (by a coordinator, with a
    reason)."""

    def __init__(self, messages: list[str], *, overridable: bool = False) -> None:
        self.messages = [str(m) for m in messages]
        self.overridable = overridable
        super().__init__(" ".join(self.messages))


def _assign(instance: Any, values: dict[str, Any], allowed: frozenset[str]) -> list[str]:
    """Set the allowed `values` on `instance`; return the names that were given."""
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for name, value in values.items():
        setattr(instance, name, value)
    return sorted(values)


# --- defenders and cases -------------------------------------------------------------------
@transaction.atomic
def defender_create(*, acting_user: User, **values: Any) -> Defender:
    """Register a defender (identity and contact details are encrypted by the model)."""
    defender = Defender()
    _assign(defender, values, DEFENDER_FIELDS)
    defender.save()
    audit.record(acting_user, Action.CASE_CREATE, defender)
    return defender


@transaction.atomic
def defender_update(*, defender: Defender, acting_user: User, **values: Any) -> Defender:
    """Change a defender's details; the audit record names the fields, never their values."""
    fields = _assign(defender, values, DEFENDER_FIELDS)
    indexes = {index for source, names in BLIND_INDEXES.items() if source in fields
               for index in names}
    defender.save(update_fields=[*fields, *sorted(indexes), "updated_at"])
    audit.record(acting_user, Action.CASE_UPDATE, defender, fields=fields)
    return defender


def defender_names_reindex(*, using: str = "default") -> int:
    """Recompute every defender's name tokens from their legal and other names: to fill them
    the first time (migration 0009) and after the blind-index key changed
    (`manage.py reindex_names`). Index upkeep only: no identity changes, so no audit record,
    as for the indexes every save recomputes. Shredded defenders keep no tokens. Returns the
    number of defenders indexed."""
    field = Defender._meta.get_field("name_tokens")
    indexed = 0
    defenders = (Defender.objects.using(using)
                 .only("pk", "legal_name", "other_names", "name_tokens").order_by("pk"))
    for defender in defenders.iterator(chunk_size=200):
        try:
            index = field.compute(defender)
        except KeyShredded:
            index = None
        with transaction.atomic(using=using):
            Defender.objects.using(using).filter(pk=defender.pk).update(name_tokens=index)
        indexed += index is not None
    return indexed


@transaction.atomic
def case_create(*, defender: Defender, acting_user: User, **values: Any) -> Case:
    """Open a residency (stage Nominated) for `defender`."""
    case = Case(defender=defender, stage=Stage.NOMINATED)
    _assign(case, values, CASE_FIELDS)
    if case.nominated_on is None:
        case.nominated_on = timezone.localdate()
    case.save()
    audit.record(acting_user, Action.CASE_CREATE, case, defender_id=defender.pk)
    return case


@transaction.atomic
def case_open(*, acting_user: User, defender: Defender | None = None,
              defender_values: dict[str, Any] | None = None, **values: Any) -> Case:
    """Open a case for an existing `defender`, or register one from `defender_values` first.

    One transaction: a failure leaves neither a case nor a half-registered defender behind.
    """
    if defender is None:
        defender = defender_create(acting_user=acting_user, **(defender_values or {}))
    return case_create(defender=defender, acting_user=acting_user, **values)


@transaction.atomic
def case_update(*, case: Case, acting_user: User, **values: Any) -> Case:
    """Change a case's residency details (not its stage: see `case_transition`)."""
    fields = _assign(case, values, CASE_FIELDS)
    case.save(update_fields=[*fields, "updated_at"])
    audit.record(acting_user, Action.CASE_UPDATE, case, fields=fields)
    return case


def _create_checklist(case: Case, stage: str, owner: User | None) -> list[Task]:
    items = lifecycle.checklist_for(case, stage, timezone.localdate())
    existing = set(Task.objects.filter(case=case, stage=stage).values_list("title_key", flat=True))
    tasks = [Task(case=case, stage=stage, title_key=key, due_on=due, owner=owner)
             for key, due in items if key not in existing]
    return Task.objects.bulk_create(tasks)


@transaction.atomic
def case_transition(*, case: Case, to: str, acting_user: User, reason: str = "",
                    override: bool = False, override_reason: str = "") -> Case:
    """Move `case` to stage `to`, record who/when/why and create the new stage's checklist.

    Raises TransitionError (translated messages) when `to` may not follow the current stage or
    a guard refuses (e.g. "In residence" without an actual arrival date). With `override`, a
    coordinator (`policies.can_override_guards`) passes the failures of overridable guards:
    `override_reason` is required and sealed with the transition; GUARD_OVERRIDE records the
    codes of the checks overridden, never the reason.
    """
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if to not in allowed_next(locked.stage):
        raise TransitionError([_("A case cannot move from “%(from)s” to “%(to)s”.") % {
            "from": Stage(locked.stage).label, "to": _stage_label(to)}])
    report = lifecycle.guard_report(locked, to, reason or "")
    may_override = override and policies.can_override_guards(acting_user, locked)
    blocking = [f for f in report if not (may_override and f.overridable)]
    if blocking:
        raise TransitionError([f.message for f in blocking],
                              overridable=all(f.overridable for f in blocking))
    overridden = sorted({f.code for f in report})
    if overridden and not (override_reason or "").strip():
        raise TransitionError([_("Give the reason for overriding the checks.")],
                              overridable=True)
    from_stage = locked.stage
    case.stage = to
    updated = ["stage", "updated_at"]
    if to in (Stage.ACCEPTED, Stage.REJECTED) and case.decided_on is None:
        case.decided_on = timezone.localdate()
        updated.append("decided_on")
    case.save(update_fields=updated)
    transition = CaseTransition(case=case, from_stage=from_stage, to_stage=to,
                                reason=reason or None, actor=acting_user, overridden=overridden,
                                override_reason=override_reason.strip() if overridden else None)
    transition.save()
    tasks = _create_checklist(case, to, case.assigned_officer or acting_user)
    if overridden:
        audit.record(acting_user, Action.GUARD_OVERRIDE, case, from_stage=from_stage,
                     to_stage=to, transition_id=transition.pk, checks=overridden)
    audit.record(acting_user, Action.CASE_TRANSITION, case, from_stage=from_stage, to_stage=to,
                 transition_id=transition.pk, tasks=len(tasks))
    return case


def _stage_label(stage: str) -> str:
    try:
        return str(Stage(stage).label)
    except ValueError:
        return _("an unknown stage")


# --- intake rounds -------------------------------------------------------------------------
@transaction.atomic
def round_create(*, acting_user: User, **values: Any) -> IntakeRound:
    """Open an intake round (a call for nominations)."""
    intake_round = IntakeRound()
    _assign(intake_round, values, ROUND_FIELDS)
    intake_round.save()
    audit.record(acting_user, Action.CASE_CREATE, intake_round)
    return intake_round


@transaction.atomic
def round_update(*, intake_round: IntakeRound, acting_user: User, **values: Any) -> IntakeRound:
    """Change an intake round's name, dates or number of places."""
    fields = _assign(intake_round, values, ROUND_FIELDS)
    intake_round.save(update_fields=fields)
    audit.record(acting_user, Action.CASE_UPDATE, intake_round, fields=fields)
    return intake_round


# --- tasks ---------------------------------------------------------------------------------
@transaction.atomic
def task_set_done(*, task: Task, done: bool, acting_user: User) -> Task:
    """Tick a checklist task off (or open it again)."""
    task.done_at = timezone.now() if done else None
    task.done_by = acting_user if done else None
    task.save(update_fields=["done_at", "done_by"])
    audit.record(acting_user, Action.CASE_UPDATE, task.case, section="tasks",
                 task_id=task.pk, done=done)
    return task


@transaction.atomic
def task_create(*, case: Case, title: str, acting_user: User, due_on: Any = None,
                owner: User | None = None) -> Task:
    """Add an officer's own task to the case's current stage; its title (their own words) is
    sealed with the case's key, so the log records only the task's id, due date and owner.
    The caller checked that `owner`, if given, may work on the case."""
    task = Task(case=case, stage=case.stage, title_key="", own_title=title, due_on=due_on,
                owner=owner)
    task.save()
    audit.record(acting_user, Action.CASE_UPDATE, case, section="tasks", task_id=task.pk,
                 change="task_create", due_on=due_on.isoformat() if due_on else None,
                 owner_id=owner.pk if owner else None)
    return task


@transaction.atomic
def task_reschedule(*, task: Task, due_on: Any, owner: User | None, acting_user: User,
                    title: str | None = None) -> Task:
    """Give a task another due date and owner (and an own task another title)."""
    due_before, owner_before = task.due_on, task.owner_id
    task.due_on, task.owner = due_on, owner
    fields = ["due_on", "owner"]
    if title is not None and task.is_own:
        task.own_title = title
        fields.append("own_title")
    task.save(update_fields=fields)
    audit.record(acting_user, Action.CASE_UPDATE, task.case, section="tasks", task_id=task.pk,
                 change="task_reschedule", due_on=due_on.isoformat() if due_on else None,
                 owner_id=owner.pk if owner else None,
                 due_before=due_before.isoformat() if due_before else None,
                 owner_before=owner_before)
    return task


# --- notes ---------------------------------------------------------------------------------
@transaction.atomic
def note_create(*, case: Case, category: str, body: str, acting_user: User) -> Note:
    """Add an encrypted note; the caller checked the user may write notes of `category`."""
    note = Note(case=case, category=category, body=body, author=acting_user)
    note.save()
    audit.record(acting_user, Action.NOTE_CREATE, note, case_id=case.pk, category=category)
    return note


# --- programme -----------------------------------------------------------------------------
# The case and the author are the service's to set; cancelling is `activity_cancel`.
ACTIVITY_FIELDS = frozenset(editable_field_names(Activity)) - {"case", "created_by", "cancelled_at"}


@transaction.atomic
def activity_create(*, case: Case, acting_user: User, **values: Any) -> Activity:
    """Add an activity to the defender's programme (times, title and place are sealed)."""
    activity = Activity(case=case, created_by=acting_user)
    _assign(activity, values, ACTIVITY_FIELDS)
    activity.save()
    audit.record(acting_user, Action.CASE_UPDATE, case, section="programme",
                 activity_id=activity.pk, change="activity_create")
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, acting_user: User, **values: Any) -> Activity:
    """Change a planned activity (day, times, kind, title, place, details); the log names the
    fields changed, never their sealed values."""
    if not values:
        return activity  # nothing changed: no change to record
    fields = _assign(activity, values, ACTIVITY_FIELDS)
    activity.save(update_fields=fields)
    audit.record(acting_user, Action.CASE_UPDATE, activity.case, section="programme",
                 activity_id=activity.pk, change="activity_update", fields=fields)
    return activity


@transaction.atomic
def activity_cancel(*, activity: Activity, acting_user: User) -> Activity:
    """Cancel an activity; it stays visible, struck through, in the programme."""
    activity.cancelled_at = timezone.now()
    activity.save(update_fields=["cancelled_at"])
    audit.record(acting_user, Action.CASE_UPDATE, activity.case, section="programme",
                 activity_id=activity.pk, change="activity_cancel")
    return activity


# --- documents -----------------------------------------------------------------------------
def safe_filename(name: str) -> str:
    """The last path component, without control characters; never used as a path."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip().strip(".")
    return cleaned[:200] or "document"


def _document_from_upload(case: Case, upload: Any, category: str, acting_user: User,
                          replaces: Document | None = None) -> Document:
    document = Document(id=uuid.uuid4(), case=case, category=category, uploaded_by=acting_user,
                        replaces=replaces, version=(replaces.version + 1) if replaces else 1)
    stored = upload.commit(case.pk, document.pk)
    document.apply_stored_file(stored, filename=safe_filename(upload.name or ""),
                               content_type=(upload.content_type or "")[:255])
    document.save()
    return document


@transaction.atomic
def document_upload(*, case: Case, upload: Any, category: str, acting_user: User) -> Document:
    """Attach an uploaded file (already sealed by EncryptingUploadHandler) to `case`."""
    try:
        document = _document_from_upload(case, upload, category, acting_user)
        audit.record(acting_user, Action.DOCUMENT_UPLOAD, document, case_id=case.pk,
                     category=category, size=document.size)
    except BaseException:
        upload.discard()
        raise
    return document


@transaction.atomic
def document_replace(*, document: Document, upload: Any, acting_user: User) -> Document:
    """Upload a new version of `document`; the old version stays, marked as replaced."""
    try:
        new = _document_from_upload(document.case, upload, document.category, acting_user,
                                    replaces=document)
        audit.record(acting_user, Action.DOCUMENT_REPLACE, new, case_id=document.case_id,
                     replaces=document.pk, version=new.version)
    except BaseException:
        upload.discard()
        raise
    return new


@transaction.atomic
def document_delete(*, document: Document, reason: str, acting_user: User) -> Document:
    """Delete a document and all its earlier versions: rows keep a tombstone, files go.

    The encrypted files are removed once the transaction commits, so a rollback loses nothing.
    """
    now = timezone.now()
    chain, current = [], document
    while current is not None:
        chain.append(current)
        current = current.replaces
    for version in chain:
        version.deleted_at = now
        version.delete_reason = reason
        version.save(update_fields=["deleted_at", "delete_reason"])
        transaction.on_commit(lambda v=version: delete_document_file(v))
    audit.record(acting_user, Action.DOCUMENT_DELETE, document, case_id=document.case_id,
                 versions=len(chain))
    return document


# --- retention -----------------------------------------------------------------------------
@transaction.atomic
def case_shred(*, case: Case, acting_user: User | None, reason: str) -> Case:
    """Crypto-shred a case: destroy its data key, remove its files, keep a tombstone.

    `reason` is a short code ("retention", "request"). The defender's key goes too once none
    of their cases is readable any more. Irreversible; callers confirm first. Raises CaseHeld
    (nothing shredded) while the case is under an active legal hold: the case row is locked
    first, so a hold placed at the same moment either comes before (refused) or waits.
    """
    Case.objects.select_for_update().filter(pk=case.pk).first()
    if LegalHold.objects.filter(case_id=case.pk, lifted_at__isnull=True).exists():
        raise CaseHeld(str(case.pk))
    data_key_id = shred_case_key(case.pk)
    case.shredded_at = timezone.now()
    case.save(update_fields=["shredded_at"])
    for document in Document.objects.filter(case=case, deleted_at__isnull=True):
        transaction.on_commit(lambda d=document: delete_document_file(d))
    audit.record(acting_user, Action.CASE_SHRED, case, data_key_id=data_key_id, reason=reason)
    defender = case.defender
    if not defender.cases.filter(shredded_at__isnull=True).exists():
        defender_key_id = shred_defender_key(defender.pk)
        audit.record(acting_user, Action.CASE_SHRED, defender, data_key_id=defender_key_id,
                     reason=reason)
    return case


# --- legal hold ----------------------------------------------------------------------------
@transaction.atomic
def legal_hold_place(*, case: Case, reason: str, acting_user: User) -> LegalHold:
    """Put `case` under a legal hold: from now on it is not shredded, by retention or by hand.

    The reason is sealed with the case key and never reaches the access log (LEGAL_HOLD_PLACE
    records the hold's id). Raises HoldError if the case is a tombstone or already held (the
    partial unique index is the last word if two coordinators place one at the same moment).
    Callers check `policies.can_manage_legal_hold` first.
    """
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.is_shredded:
        raise HoldError(_("This case is crypto-shredded: there is nothing left to hold."))
    if LegalHold.objects.filter(case=locked, lifted_at__isnull=True).exists():
        raise HoldError(_("This case is already under a legal hold."))
    hold = LegalHold.objects.create(case=locked, reason=reason.strip(), placed_by=acting_user)
    audit.record(acting_user, Action.LEGAL_HOLD_PLACE, case, hold_id=str(hold.pk))
    return hold


@transaction.atomic
def legal_hold_lift(*, hold: LegalHold, acting_user: User) -> LegalHold:
    """Lift an active legal hold: the case is subject to retention again (the next run of
    apply_retention shreds it if it is past retention). Raises HoldError if the hold was lifted
    meanwhile. Callers check `policies.can_manage_legal_hold` (coordinators) and a recent
    second factor first."""
    locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if locked.lifted_at is not None:
        raise HoldError(_("This legal hold has been lifted already."))
    locked.lifted_at = timezone.now()
    locked.lifted_by = acting_user
    locked.save(update_fields=["lifted_at", "lifted_by"])
    audit.record(acting_user, Action.LEGAL_HOLD_LIFT, locked.case, hold_id=str(locked.pk),
                 held_days=(locked.lifted_at - locked.placed_at).days)
    return locked
