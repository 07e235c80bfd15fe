"""The words of a case: its stages and which may follow which, the categories of documents and
notes, and the sections of a case page and of a share.

A leaf module (it imports only Django's choices and translation), so the models, the lifecycle,
the policies, the forms and other apps (housing) share one definition without importing each
other.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    UNDER_REVIEW = "under_review", _("Under review")
    ACCEPTED = "accepted", _("Accepted")
    PREPARING_ARRIVAL = "preparing_arrival", _("Preparing arrival")
    IN_RESIDENCE = "in_residence", _("In residence")
    DEPARTED = "departed", _("Departed")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DocumentCategory(models.TextChoices):
    PASSPORT_VISA = "passport_visa", _("Passport and visa")
    MEDICAL = "medical", _("Medical")
    RISK = "risk", _("Risk assessment")
    TRAVEL = "travel", _("Travel")
    PROGRAMME = "programme", _("Programme")
    OTHER = "other", _("Other")


class NoteCategory(models.TextChoices):
    GENERAL = "general", _("General")
    MEDICAL = "medical", _("Medical")
    SECURITY = "security", _("Security")
    PROGRAMME = "programme", _("Programme")


# --- the lifecycle's table -----------------------------------------------------------------
_EXITS = (Stage.REJECTED, Stage.WITHDRAWN)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    Stage.NOMINATED: (Stage.UNDER_REVIEW, *_EXITS),
    Stage.UNDER_REVIEW: (Stage.ACCEPTED, *_EXITS),
    Stage.ACCEPTED: (Stage.PREPARING_ARRIVAL, *_EXITS),
    Stage.PREPARING_ARRIVAL: (Stage.IN_RESIDENCE, *_EXITS),
    Stage.IN_RESIDENCE: (Stage.DEPARTED,),
    Stage.DEPARTED: (Stage.FOLLOW_UP,),
    Stage.FOLLOW_UP: (Stage.CLOSED,),
    Stage.CLOSED: (),
    Stage.REJECTED: (),
    Stage.WITHDRAWN: (),
}

# Decisions must be explained: the reason is kept (encrypted) with the stage change.
REASON_REQUIRED = frozenset({Stage.ACCEPTED, Stage.REJECTED, Stage.WITHDRAWN})


def allowed_next(stage: str) -> tuple[str, ...]:
    """The stages a case in `stage` may move to."""
    return TRANSITIONS.get(stage, ())


# --- sections ------------------------------------------------------------------------------
SECTIONS = ("basic", "identity", "contact", "residency", "logistics", "budget", "programme",
            "documents", "notes", "tasks", "history", "housing", "housing_address")
DOCUMENT_CATEGORIES = tuple(DocumentCategory.values)
NOTE_CATEGORIES = tuple(NoteCategory.values)
# What a share can name. "documents.<category>" and "notes.<category>" one by one; restricted
# note categories are never implied by anything else.
SHARE_SECTIONS = ("basic", "identity", "contact", "residency", "logistics", "budget",
                  *(f"documents.{c}" for c in DOCUMENT_CATEGORIES),
                  *(f"notes.{c}" for c in NOTE_CATEGORIES), "housing", "housing_address")
# Page sections a partner can never see, whatever a share says.
STAFF_ONLY_SECTIONS = frozenset({"tasks", "history"})
# What is left of a crypto-shredded case.
TOMBSTONE_SECTIONS = frozenset({"basic", "tasks", "history"})
RESTRICTED_NOTE_CATEGORIES = frozenset({NoteCategory.MEDICAL.value, NoteCategory.SECURITY.value})
