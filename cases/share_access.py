"""Which shares hold for a partner right now: the queries behind the partner policies.

Both conditions are checked in the database at every request: a `CaseShare` row valid now and
the guardian permission row it created (direct foreign-key tables, no generic CAST(id AS text)
path, no per-row `has_perm` loop). Answers are cached on the user object, which Django builds
anew for every request, so a revoked or expired share is gone on the next request.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

if TYPE_CHECKING:
    from cases.models import CaseShare
    from shelter.accounts.models import User

VIEW = "view_case"
CONTRIBUTE = "contribute_case"
CACHE_ATTR = "_shelter_share_cache"


def _holds(user: User, codename: str) -> Q:
    """The share row's grantee holds guardian permission `codename` on the share's case."""
    from cases.models import CaseGroupObjectPermission, CaseUserObjectPermission

    user_perm = CaseUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename=codename, content_object_id=OuterRef("case_id"))
    condition = Q(grantee_user_id=user.pk) & Exists(user_perm)
    if user.organisation_id is not None:
        group_perm = CaseGroupObjectPermission.objects.filter(
            group__user=user.pk, group__organisation_link__organisation_id=user.organisation_id,
            permission__codename=codename, content_object_id=OuterRef("case_id"))
        # A deactivated organisation's shares end with it, for all its members at once.
        condition |= (Q(grantee_organisation_id=user.organisation_id,
                        grantee_organisation__is_active=True) & Exists(group_perm))
    return condition


def _guarded_shares(user: User) -> QuerySet[CaseShare]:
    """Active shares of `user` (personal or organisation) whose guardian permission exists."""
    from cases.models import CaseShare

    return CaseShare.objects.active().filter(_holds(user, VIEW))


def partner_cases_q(user: User) -> Q:
    """Cases with a valid share for `user`: one `pk IN (subquery)`, never a row-by-row check."""
    return Q(pk__in=_guarded_shares(user).values("case_id"))


def _cache(user: User) -> dict:
    if not hasattr(user, CACHE_ATTR):
        setattr(user, CACHE_ATTR, {})
    return getattr(user, CACHE_ATTR)


def load_grants(user: User, case_ids: Iterable[uuid.UUID]) -> None:
    """Fetch the grants of `user` on all of `case_ids` in one query (lists, search, agenda)."""
    cache = _cache(user)
    wanted = {cid for cid in case_ids if cid not in cache}
    if not wanted:
        return
    for cid in wanted:
        cache[cid] = (frozenset(), False, None)
    rows = (_guarded_shares(user).filter(case_id__in=wanted)
            .annotate(contributes=Q(mode="contribute") & _holds(user, CONTRIBUTE))
            .values_list("case_id", "sections", "contributes", "expires_at"))
    for case_id, sections, contributes, expires_at in rows:
        old_sections, old_contribute, old_expiry = cache[case_id]
        cache[case_id] = (old_sections | frozenset(sections), old_contribute or bool(contributes),
                          min(filter(None, [old_expiry, expires_at])))


def grants(user: User, case_id: uuid.UUID) -> tuple[frozenset[str], bool, object]:
    """(sections shared, may contribute, first expiry) for `user` on one case, cached."""
    load_grants(user, [case_id])
    return _cache(user)[case_id]


def forget(user: User) -> None:
    """Drop the cached grants (after a grant or revoke within the same request or test)."""
    if hasattr(user, CACHE_ATTR):
        delattr(user, CACHE_ATTR)


def expiring_soon(user: User, days: int = 14) -> QuerySet[CaseShare]:
    """The user's active shares that end within `days` (for the partner's dashboard panel)."""
    horizon = timezone.now() + timezone.timedelta(days=days)
    return (_guarded_shares(user).filter(expires_at__lte=horizon)
            .select_related("case__defender").order_by("expires_at"))
