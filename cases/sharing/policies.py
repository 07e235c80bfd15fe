"""Who may share, break the glass, and what a partner's grant opens: pure decisions.

Nothing here queries. The facts come from the caller: a partner's `Grant` on a case (loaded by
`cases.sharing.grants`, guardian's permissions joined with the terms in force), the end of a
coordinator's break-glass opening, the time. `cases.policies` asks these for partners.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from cases.models import Case
    from shelter.accounts.models import User

# Page sections a partner can never see, whatever a share says.
STAFF_ONLY_SECTIONS = frozenset({"tasks", "history"})
CONTRIBUTABLE = ("programme", "documents", "notes")


class Grant(NamedTuple):
    """What a partner's shares open on one case: the facts the sharing policies decide on."""

    sections: frozenset[str] = frozenset()
    contribute: bool = False
    expires_at: datetime.datetime | None = None


def _is_staff(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated
                and (user.is_coordinator or user.is_case_officer))


def partner_share_allows(grant: Grant, section: str) -> bool:
    """Does `grant` open `section`? A page section or a share section ("documents.medical",
    "notes.security", ...). "programme" comes with "residency"; "documents" and "notes" need
    at least one category; tasks and the access history are never shared."""
    if section in STAFF_ONLY_SECTIONS or not grant.sections:
        return False
    if section == "programme":
        section = "residency"
    if section in ("documents", "notes"):
        return any(s.startswith(f"{section}.") for s in grant.sections)
    return section in grant.sections


def partner_may_contribute(grant: Grant, section: str) -> bool:
    """A may-contribute grant lets a partner add to `section` (programme, a document or note
    category) when it also lets them see it; nothing else."""
    return bool(section.split(".")[0] in CONTRIBUTABLE and grant.contribute
                and partner_share_allows(grant, section))


def may_see_shared_with_me(user: User | None) -> bool:
    """The "Shared with me" page is the partners' case list."""
    return bool(user is not None and user.is_authenticated and user.is_partner)


def can_share(user: User | None, case: Case) -> bool:
    """Share and revoke: coordinators on any case, officers on cases assigned to them."""
    if not _is_staff(user) or case.is_shredded:
        return False
    return bool(user.is_coordinator or case.assigned_officer_id == user.pk)


def may_know_of_sharing(user: User | None) -> bool:
    """Only staff may learn that a case has a Sharing section. Anyone else who may see the case
    (a partner) is refused with the 404 of every section they cannot see, not with a 403."""
    return _is_staff(user)


def tell_share_ended(user: User | None, *, had_share: bool, holds_share: bool) -> bool:
    """Tell a partner refused on a case that a share of theirs ended? Only when they had one
    of that case (so its existence is no secret to them) and hold none now; never anyone else
    (the plain 404 keeps existence secret). What they are told names no case."""
    return may_see_shared_with_me(user) and had_share and not holds_share


def can_break_glass(user: User | None, case: Case) -> bool:
    """Coordinators may open restricted notes they would not otherwise see (with a reason)."""
    return bool(_is_staff(user) and user.is_coordinator and not case.is_shredded
                and case.assigned_officer_id != user.pk)


def break_glass_active(opening_ends: datetime.datetime | None, now: datetime.datetime) -> bool:
    """Is a break-glass opening that ends at `opening_ends` still open at `now`?"""
    return opening_ends is not None and opening_ends > now
