"""Who may see and do what with cases: the one place that decides, deny by default.

Pure functions of (user, object, section): they send no query. What they decide on beyond the
user and the row comes with the case as the selectors hand it over (`selectors.case_get_for`
and the list selectors): a partner's grant, loaded into the request's grant cache, and a
coordinator's break-glass opening, annotated on the case. A case handed over without them is
refused to a partner and keeps its restricted notes closed. Views, templates (through the view's
context), selectors, exports and search all ask here; nothing else re-derives access.

Coordinators and case officers see every case of the municipality. Medical and security notes:
the officer assigned to the case; a coordinator only through break-glass (a reason, a limited
time, loudly recorded) unless they are the assigned officer. Partners see exactly the sections
an active share names: the grant is read by `cases.sharing.grants` (guardian's permissions
and the terms in force) and decided by `cases.sharing.policies`. Auditors never see case
content. tests/cases/test_security_table.py checks SECURITY.md's role table against these
functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from cases.choices import (
    RESTRICTED_NOTE_CATEGORIES,
    SECTIONS,
    TOMBSTONE_SECTIONS,
    allowed_next,
)
from cases.sharing import grants
from cases.sharing import policies as sharing

if TYPE_CHECKING:
    from cases.models import Case
    from shelter.accounts.models import User


def _is_staff(user: User | None) -> bool:
    """Municipal staff who work on cases: active coordinators and case officers."""
    return bool(user is not None and user.is_authenticated
                and (user.is_coordinator or user.is_case_officer))


def partner_share_allows(user: User, case: Case, section: str) -> bool:
    """May partner `user` see `section` of `case` through an active share (user or organisation)?
    See `cases.sharing.policies.partner_share_allows`."""
    return sharing.partner_share_allows(grants.loaded_grant(user, case), section)


def partner_may_contribute(user: User, case: Case, section: str) -> bool:
    """May partner `user` add to `section` of `case` (a may-contribute share naming it)?"""
    return bool(user.is_partner
                and sharing.partner_may_contribute(grants.loaded_grant(user, case), section))


def partner_cases_filter(user: User) -> Q | None:
    """The cases a partner's grants open (guardian's rows joined with the terms in force)."""
    return grants.partner_cases_q(user)


def visible_cases_filter(user: User | None) -> Q | None:
    """The condition on Case for the cases `user` may know exist; None means none at all.

    Used by `cases.selectors.visible_cases(user)`, which every read goes through.
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
    """May `user` know that `case` exists? (Otherwise every route answers 404.)

    A partner needs an active share that includes "basic" (every share does).
    """
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
    """General notes: staff. Medical and security notes: the officer assigned to the case, or a
    coordinator during their break-glass opening. Partners: each category explicitly shared."""
    if not can_view_section(user, case, "notes"):
        return False
    if user.is_partner:
        return partner_share_allows(user, case, f"notes.{category}")
    if category not in RESTRICTED_NOTE_CATEGORIES:
        return True
    if case.assigned_officer_id == user.pk:
        return True
    return bool(user.is_coordinator and sharing.break_glass_active(
        getattr(case, "break_glass_until", None), timezone.now()))


def can_view_document_category(user: User | None, case: Case, category: str) -> bool:
    """Documents: staff see every category; a partner the categories shared."""
    if not can_view_section(user, case, "documents"):
        return False
    return _is_staff(user) or partner_share_allows(user, case, f"documents.{category}")


def can_view_access_history(user: User | None, case: Case) -> bool:
    """The case's access log: coordinators, and the officer assigned to the case."""
    if not can_view_section(user, case, "history"):
        return False
    return bool(user.is_coordinator
                or (user.is_case_officer and case.assigned_officer_id == user.pk))


def can_export_subject_data(user: User | None, case: Case) -> bool:
    """A defender's subject-access export (everything about them): coordinators only."""
    return bool(_is_staff(user) and user.is_coordinator and not case.is_shredded)


def can_contribute(user: User | None, case: Case, section: str) -> bool:
    """Add to `section` of `case` (programme, notes.<c>, documents.<c>): staff who may change
    the case; partners with a may-contribute share naming that section."""
    if case.is_shredded or not can_view_case(user, case):
        return False
    if _is_staff(user):
        return True
    return partner_may_contribute(user, case, section)


def can_search_cases(user: User | None) -> bool:
    """Staff search everything visible; partners only among their shares (see the selector)."""
    return bool(_is_staff(user) or (user is not None and user.is_authenticated
                                    and user.is_partner))


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


def can_override_guards(user: User | None, case: Case) -> bool:
    """Override the failed overridable checks of a stage change (passport, visa, insurance,
    outbound flight), with a reason: coordinators only; case officers ask one."""
    return bool(can_change_case(user, case) and user.is_coordinator)


def can_manage_legal_hold(user: User | None, case: Case) -> bool:
    """See, place and lift a case's legal hold: coordinators only. A hold decides whether a
    defender's data outlives retention, so the role that answers for retention decides it;
    case officers ask a coordinator. (Placing on a tombstone is refused by the service.)"""
    return bool(_is_staff(user) and user.is_coordinator and can_view_case(user, case))
