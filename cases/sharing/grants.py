"""What the shares of a partner open right now, read through django-guardian (selectors only).

A grant holds when BOTH hold at query time:

- guardian says so: the partner, or their organisation's group, holds `cases.view_case`
  (`cases.contribute_case` to add) on the case. Guardian answers through
  `get_objects_for_user` (object permissions only), used as a subquery: the case filter and
  the grants of a whole page or list are one query each, whatever the number of shares, and
  one more over the may-contribute shares alone when there are any (guardian's
  `ObjectPermissionChecker.prefetch_perms` would fetch every permission row into Python, two
  more queries per page, for the same answer);
- the terms are in force: a `CaseShare` with the partner or their (active) organisation that is
  not revoked and not past `expires_at`. A share that ran out grants nothing on the next request
  even before `expire_shares` removes its guardian rows.

Answers are cached on the user object, which Django builds anew for every request; the
policies read that cache (`loaded_grant`) and never query themselves.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from cases.models import Case
from cases.sharing.models import BreakGlass, CaseShare
from cases.sharing.policies import Grant
from shelter.accounts.models import User

# Codenames with `klass=Case`: guardian then takes Case's content type from Django's cache.
VIEW = "view_case"
CONTRIBUTE = "contribute_case"
CACHE_ATTR = "_shelter_share_cache"


NOTHING = Grant()


def permitted_cases(user: User, perm: str = VIEW) -> QuerySet[Case]:
    """The cases guardian says `user` holds `perm` on (their own rows or their groups'), as a
    lazy queryset: object permissions only, no global or superuser shortcut."""
    return get_objects_for_user(user, perm, klass=Case, accept_global_perms=False,
                                with_superuser=False)


def terms_in_force(user: User, now: datetime.datetime | None = None) -> QuerySet[CaseShare]:
    """Shares with `user` or their organisation that are neither revoked nor expired now.

    A deactivated organisation's shares end with it, for all its members at once.
    """
    with_them = Q(grantee_user_id=user.pk)
    if user.organisation_id is not None:
        with_them |= Q(grantee_organisation_id=user.organisation_id,
                       grantee_organisation__is_active=True)
    return CaseShare.objects.active(now).filter(with_them)


def share_history(user: User, case_id: object) -> tuple[bool, bool]:
    """(had, holds): did a share of case `case_id` ever name `user` in person, and does one
    (theirs or their organisation's) hold now? For the notice that a share ended; two small
    queries, refusals only. An organisation's past shares do not count: its members change (a
    partner may join, or move from another organisation, after a share ended), and a member
    who never held the share must not learn that the case exists."""
    had = CaseShare.objects.filter(grantee_user_id=user.pk, case_id=case_id).exists()
    return had, had and terms_in_force(user).filter(case_id=case_id).exists()


def partner_cases_q(user: User) -> Q:
    """Cases guardian grants `user` AND whose terms are in force: one `pk IN (subquery)`."""
    return Q(pk__in=terms_in_force(user).filter(case__in=permitted_cases(user))
             .values("case_id"))


def _cache(user: User) -> dict:
    if not hasattr(user, CACHE_ATTR):
        setattr(user, CACHE_ATTR, {})
    return getattr(user, CACHE_ATTR)


def _terms_rows(user: User, shares: QuerySet[CaseShare]) -> QuerySet:
    """(case id, sections, mode, expires at) of `shares` whose case guardian grants `user`."""
    return (shares.filter(case__in=permitted_cases(user))
            .values_list("case_id", "sections", "mode", "expires_at"))


def _grants_of(user: User, rows: Iterable[tuple]) -> dict:
    """The grant on each case `rows` name (its terms together), in the order rows name them.
    Guardian's contribute permission is asked only when a may-contribute share is among
    them: one more query then, over those cases alone."""
    found: dict = {}
    for case_id, sections, mode, expires_at in rows:
        found.setdefault(case_id, []).append((sections, mode, expires_at))
    asked = {case_id for case_id, terms in found.items()
             if any(mode == CaseShare.Mode.CONTRIBUTE for _s, mode, _e in terms)}
    contributes = set(permitted_cases(user, CONTRIBUTE).filter(pk__in=asked)
                      .values_list("pk", flat=True)) if asked else set()
    return {case_id: Grant(
        sections=frozenset(s for sections, _m, _e in terms for s in sections),
        contribute=case_id in contributes,
        expires_at=min(expires_at for _s, _m, expires_at in terms))
        for case_id, terms in found.items()}


def load_grants(user: User, cases: Iterable[Case]) -> None:
    """Fetch the grants of `user` on all of `cases` at once (search, agenda, guards)."""
    cache = _cache(user)
    wanted = {case.pk for case in cases} - set(cache)
    if not wanted:
        return
    found = _grants_of(user, _terms_rows(user, terms_in_force(user).filter(case_id__in=wanted)))
    cache.update({case_id: found.get(case_id, NOTHING) for case_id in wanted})


def shared_terms(user: User) -> QuerySet:
    """The terms of every grant of `user` in force now, as `_terms_rows`, newest case first."""
    return _terms_rows(user, terms_in_force(user)).order_by("-case__created_at", "case_id")


def shared_case_ids(user: User) -> list:
    """The ids of every case a grant of `user` opens now, newest case first, with all their
    grants loaded: one query for the partner's whole list (two with a may-contribute share).
    Its pages are slices of this list and its count is its length, so no COUNT runs over the
    permission subqueries."""
    found = _grants_of(user, shared_terms(user))
    _cache(user).update(found)
    return list(found)


def grant_for(user: User, case: Case) -> Grant:
    """The grant of `user` on one case, loading it if no selector did yet (guards, panels)."""
    load_grants(user, [case])
    return _cache(user)[case.pk]


def loaded_grant(user: User, case: Case) -> Grant:
    """The grant the selectors loaded for `user` on `case`; NOTHING where none was loaded, so
    a policy asked about a case no selector handed over refuses (it never queries)."""
    return _cache(user).get(case.pk, NOTHING)


def forget(user: User) -> None:
    """Drop the cached grants (after a grant or revoke within the same request or test)."""
    if hasattr(user, CACHE_ATTR):
        delattr(user, CACHE_ATTR)


def expiring_soon(user: User, days: int = 14) -> QuerySet[CaseShare]:
    """The user's shares in force that end within `days` (for the partner's dashboard panel)."""
    horizon = timezone.now() + datetime.timedelta(days=days)
    return (terms_in_force(user).filter(case__in=permitted_cases(user), expires_at__lte=horizon)
            .select_related("case__defender").order_by("expires_at"))


def with_break_glass(cases: QuerySet[Case], user: User) -> QuerySet[Case]:
    """`cases` annotated with `break_glass_until`: when coordinator `user`'s latest
    break-glass opening on each ends (None: never opened one). Part of the case query itself,
    so the policy is handed the fact and asks nothing."""
    latest = (BreakGlass.objects.filter(case_id=OuterRef("pk"), user_id=user.pk)
              .order_by("-expires_at").values("expires_at")[:1])
    return cases.annotate(break_glass_until=Subquery(latest))


def break_glass_recent(days: int = 7) -> list[BreakGlass]:
    """Break-glass openings of the last `days` (coordinators' dashboard), newest first."""
    since = timezone.now() - datetime.timedelta(days=days)
    return list(BreakGlass.objects.filter(opened_at__gte=since)
                .select_related("user", "case__defender").order_by("-opened_at")[:20])


def cases_in_order(ids: list) -> list[Case]:
    """The cases of `ids` (from `shared_case_ids`, so already decided), with their defenders'
    code names, in the order of `ids`: one query for a page of the partner's list, which shows
    the code name and the stage (the access log adds the ids), never a sealed field."""
    cases = (Case.objects.filter(pk__in=ids).select_related("defender")
             .only("stage", "created_at", "defender__code_name").in_bulk())
    return [cases[pk] for pk in ids if pk in cases]


# What the Sharing section's table shows of a share: no sealed field (reason, override
# reason, reason for revoking) is read, so none is opened for the list.
SHARE_TABLE_FIELDS = ("pk", "grantee_user_id", "grantee_user__full_name",
                      "grantee_organisation__name", "sections", "mode", "expires_at",
                      "revoked_at", "is_override")


def case_shares(case: Case) -> list[dict]:
    """Every share of `case`, active first, with its grantee's name (for the case's Sharing
    section): the values its table shows, in one query."""
    return list(CaseShare.objects.filter(case=case).order_by("revoked_at", "-expires_at")
                .values(*SHARE_TABLE_FIELDS))


def share_get(case: Case, share_id: object) -> CaseShare | None:
    return CaseShare.objects.filter(case=case, pk=share_id).select_related(
        "grantee_user", "grantee_organisation", "case__defender").first()
