"""Who may see and do what with cases: the one place that decides, deny by default.

Pure functions of (user, object, section). Views, templates (through the view's context),
selectors, exports and search all ask here; nothing else re-derives access.

Coordinators and case officers see every case of the municipality; medical and security notes
only the coordinators and the officer assigned to the case. Partners see nothing until shares
exist: `partner_share_allows` is the single extension point the sharing issue fills in.
Auditors never see case content.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from cases.lifecycle import allowed_next

if TYPE_CHECKING:
    from cases.models import Case, Note
    from shelter.accounts.models import User

SECTIONS = ("basic", "identity", "contact", "residency", "programme", "documents", "notes",
            "tasks", "history")
TOMBSTONE_SECTIONS = frozenset({"basic", "tasks", "history"})
RESTRICTED_NOTE_CATEGORIES = frozenset({"medical", "security"})


def _is_staff(user: User | None) -> bool:
    """Municipal staff who work on cases: active coordinators and case officers."""
    return bool(user is not None and user.is_authenticated
                and (user.is_coordinator or user.is_case_officer))


def partner_share_allows(user: User, case: Case, section: str) -> bool:
    """EXTENSION POINT for shares (issue "Sharing"): may partner `user` see `section` of `case`?

    Until shares exist a partner sees nothing. The sharing issue implements this and
    `partner_cases_filter`; no other function needs to change. Besides SECTIONS, `section`
    can be "notes.medical" or "notes.security" (restricted notes need an explicit share).
    """
    return False


def partner_cases_filter(user: User) -> Q | None:
    """EXTENSION POINT for shares: the Q on Case a partner's shares open (None: nothing)."""
    return None


def visible_cases_filter(user: User | None) -> Q | None:
    """The condition on Case for the cases `user` may know exist; None means none at all.

    Used by `Case.objects.visible_to(user)`, which every read goes through.
    """
    if _is_staff(user):
        return Q()
    if user is not None and user.is_authenticated and user.is_partner:
        return partner_cases_filter(user)
    return None


def can_list_cases(user: User | None) -> bool:
    """Coordinators and case officers use the case list; partners get their shares page."""
    return _is_staff(user)


def can_create_case(user: User | None) -> bool:
    """Coordinators and case officers open new cases."""
    return _is_staff(user)


def can_manage_rounds(user: User | None) -> bool:
    """Intake rounds are opened and changed by coordinators; officers see them."""
    return bool(_is_staff(user) and user.is_coordinator)


def can_view_case(user: User | None, case: Case) -> bool:
    """May `user` know that `case` exists? (Otherwise every route answers 404.)"""
    if _is_staff(user):
        return True
    if user is not None and user.is_authenticated and user.is_partner:
        return partner_share_allows(user, case, "basic")
    return False


def can_view_section(user: User | None, case: Case, section: str) -> bool:
    """May `user` see `section` (one of SECTIONS) of `case`? Unknown sections are refused."""
    if section not in SECTIONS or not can_view_case(user, case):
        return False
    if case.is_shredded and section not in TOMBSTONE_SECTIONS:
        return False  # its key is destroyed: nothing sealed can be shown, to anyone
    if _is_staff(user):
        return True
    return partner_share_allows(user, case, section)


def can_view_note_category(user: User | None, case: Case, category: str) -> bool:
    """Medical and security notes: coordinators and the officer assigned to the case only."""
    if not can_view_section(user, case, "notes"):
        return False
    if category not in RESTRICTED_NOTE_CATEGORIES:
        return True
    if user.is_coordinator:
        return True
    if user.is_partner:  # only when a share names the category explicitly
        return partner_share_allows(user, case, f"notes.{category}")
    return bool(user.is_case_officer and case.assigned_officer_id == user.pk)


def can_view_note(user: User | None, note: Note) -> bool:
    """May `user` read `note`? Restricted categories per `can_view_note_category`."""
    return can_view_note_category(user, note.case, note.category)


def can_view_access_history(user: User | None, case: Case) -> bool:
    """The case's access log: coordinators, and the officer assigned to the case."""
    if not can_view_section(user, case, "history"):
        return False
    return bool(user.is_coordinator
                or (user.is_case_officer and case.assigned_officer_id == user.pk))


def can_export_subject_data(user: User | None, case: Case) -> bool:
    """A defender's subject-access export (everything about them): coordinators only."""
    return bool(_is_staff(user) and user.is_coordinator and not case.is_shredded)


def can_change_case(user: User | None, case: Case) -> bool:
    """Change a case, its defender, documents, notes and tasks: municipal staff.

    A crypto-shredded case is a tombstone and cannot be changed by anyone.
    """
    return _is_staff(user) and not case.is_shredded


def can_transition(user: User | None, case: Case, to: str | None = None) -> bool:
    """Move `case` to another stage (to `to`, if given, which must follow the current one)."""
    if not can_change_case(user, case):
        return False
    return to is None or to in allowed_next(case.stage)
