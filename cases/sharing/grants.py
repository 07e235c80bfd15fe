"""What the shares of a partner open right now, read through django-guardian (selectors only).

A grant holds when BOTH hold at query time:

- guardian says so: the partner, or their organisation's group, holds `cases.view_case`
  (`cases.contribute_case` to add) on the case. The case filter asks guardian's
  `get_objects_for_user` (object permissions only), used as a subquery. The grants of a
  whole page or list are one query, whatever the number of shares, and one more over the
  may-contribute shares alone when there are any (guardian's
  `ObjectPermissionChecker.prefetch_perms` would fetch every permission row into Python, two
  more queries per page, for the same answer). That query reads guardian's two permission
  tables of cases directly, in SQL written once per process (`_terms_sql`): building it
  through the ORM took longer than running it, on every page of a partner;
- the terms are in force: a `CaseShare` with the partner or their (active) organisation that is
  not revoked and not past `expires_at`. A share that ran out grants nothing on the next request
  even before `expire_shares` removes its guardian rows.

Answers are cached on the user object, which Django builds anew for every request; the
policies read that cache (`loaded_grant`) and never query themselves.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Sequence

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Field, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from cases.models import Case
from cases.sharing.models import (
    BreakGlass,
    CaseGroupObjectPermission,
    CaseShare,
    CaseUserObjectPermission,
)
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


# What a grant is made of, read for each share in force: (case id, sections, mode, expires at).
TERMS = ("case", "sections", "mode", "expires_at")


@functools.cache
def _permitted_sql(vendor: str) -> str:
    """`case_id IN` the cases one user holds one permission on, directly or through one of
    their groups: guardian's object permissions only, as `get_objects_for_user` asks them
    with `accept_global_perms=False, with_superuser=False`. Parameters: user id, content
    type id, codename, twice."""
    quote = connection.ops.quote_name
    users, groups = CaseUserObjectPermission._meta, CaseGroupObjectPermission._meta
    perm = Permission._meta
    members = User.groups.through._meta
    member_user = quote(members.get_field("user").column)
    member_group = quote(members.get_field("group").column)

    def held(meta, who: str) -> str:
        obj, permission = (quote(meta.get_field(name).column)
                           for name in ("content_object", "permission"))
        # Static: the models' quoted names only.
        return (f"SELECT o.{obj} FROM {quote(meta.db_table)} o "  # noqa: S608
                f"INNER JOIN {quote(perm.db_table)} p ON p.{quote(perm.pk.column)} = "
                f"o.{permission} WHERE {who} AND "
                f"p.{quote(perm.get_field('content_type').column)} = %s AND "
                f"p.{quote(perm.get_field('codename').column)} = %s")

    direct = held(users, f"o.{quote(users.get_field('user').column)} = %s")
    # The user's groups first, as guardian asks: the group index then finds their rows.
    through_group = held(
        groups, f"o.{quote(groups.get_field('group').column)} IN (SELECT m.{member_group} "  # noqa: S608
        f"FROM {quote(members.db_table)} m WHERE m.{member_user} = %s)")
    return f"IN ({direct}) OR {{case}} IN ({through_group})"


@functools.cache
def _terms_sql(vendor: str) -> str:
    """The terms of the shares in force with one user (in person or through their active
    organisation) whose case guardian grants them `view_case`, newest case first (a case's
    terms in the order they were granted): what
    `terms_in_force(user).filter(case__in=permitted_cases(user))` asks, written once per
    process and database kind from the models' own table and column names (quoted by the
    backend). Only values are parameters (`terms_statement`); tests/sharing/test_terms_sql.py
    holds it to the ORM's answer.

    Written by hand because the ORM compiled this statement, with guardian's two subqueries,
    in about 3 ms, more than twice the time the database took to answer it."""
    quote = connection.ops.quote_name
    share, case, org = CaseShare._meta, Case._meta, CaseShare._meta.get_field(
        "grantee_organisation").related_model._meta

    def col(name: str) -> str:
        return f"s.{quote(share.get_field(name).column)}"

    picked = ", ".join(col(name) for name in TERMS)
    permitted = _permitted_sql(vendor).replace("{case}", col("case"))
    # Static: the models' quoted names only, never a value from a request.
    return (f"SELECT {picked} FROM {quote(share.db_table)} s "  # noqa: S608
            f"INNER JOIN {quote(case.db_table)} c ON c.{quote(case.pk.column)} = {col('case')} "
            f"LEFT OUTER JOIN {quote(org.db_table)} g ON g.{quote(org.pk.column)} = "
            f"{col('grantee_organisation')} "
            f"WHERE {col('revoked_at')} IS NULL AND {col('expires_at')} > %s "
            f"AND ({col('grantee_user')} = %s OR ({col('grantee_organisation')} = %s "
            f"AND g.{quote(org.get_field('is_active').column)})) "
            f"AND ({col('case')} {permitted}){{cases}} "
            # Two terms of one case: the first granted first, the id settling a tie.
            f"ORDER BY c.{quote(case.get_field('created_at').column)} DESC, {col('case')} ASC, "
            f"{col('granted_at')} ASC, {col('id')} ASC")


def _permitted_params(user: User, perm: str) -> list:
    content_type = ContentType.objects.get_for_model(Case).pk
    return [user.pk, content_type, perm, user.pk, content_type, perm]


def _case_params(case_ids: Sequence) -> list:
    field = Case._meta.pk
    return [field.get_db_prep_value(field.to_python(pk), connection) for pk in case_ids]


def terms_statement(user: User, case_ids: Sequence | None = None) -> tuple[str, list]:
    """The statement of `_terms` and its parameters (also for EXPLAIN in bench_sharing)."""
    now = CaseShare._meta.get_field("expires_at").get_db_prep_value(
        timezone.now(), connection)
    sql, params = _terms_sql(connection.vendor), [now, user.pk, user.organisation_id,
                                                  *_permitted_params(user, VIEW)]
    if case_ids is None:
        return sql.replace("{cases}", ""), params
    # One placeholder per id, as the ORM writes `IN`; the ids are parameters.
    column = connection.ops.quote_name(CaseShare._meta.get_field("case").column)
    return (sql.replace("{cases}", f" AND s.{column} IN ({', '.join(['%s'] * len(case_ids))})"),
            [*params, *_case_params(case_ids)])


def _terms(user: User, case_ids: Sequence | None = None) -> list[tuple]:
    """The terms (`TERMS`) of the grants of `user` in force now, newest case first: all of
    them, or those of `case_ids`. One query (none for no ids); the values come back as the
    ORM converts them."""
    if case_ids is not None and not case_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(*terms_statement(user, case_ids))
        rows = cursor.fetchall()
    return _converted(rows, [CaseShare._meta.get_field(name) for name in TERMS])


def _converted(rows: list[tuple], fields: list[Field]) -> list[tuple]:
    """`rows` read by hand, each value turned into what the ORM gives for its field (a UUID
    from SQLite's hex text, an aware datetime, a JSON list): the backend's and the field's
    converters, as the ORM's compiler applies them."""
    steps = []
    for index, field in enumerate(fields):
        column = field.get_col(field.model._meta.db_table)
        found = (connection.ops.get_db_converters(column)
                 + column.get_db_converters(connection))
        if found:
            steps.append((index, column, found))
    if not steps:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for index, column, found in steps:
            for converter in found:
                values[index] = converter(values[index], column, connection)
        converted.append(tuple(values))
    return converted


def _contributing(user: User, case_ids: set) -> set:
    """Of `case_ids`, those guardian grants `user` `contribute_case` on: one query."""
    column = connection.ops.quote_name(Case._meta.pk.column)
    quote = connection.ops.quote_name
    permitted = _permitted_sql(connection.vendor).replace("{case}", f"c.{column}")
    ids = list(case_ids)
    # Static: quoted names and one placeholder per id.
    sql = (f"SELECT c.{column} FROM {quote(Case._meta.db_table)} c "  # noqa: S608
           f"WHERE c.{column} IN ({', '.join(['%s'] * len(ids))}) AND (c.{column} {permitted})")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_case_params(ids), *_permitted_params(user, CONTRIBUTE)])
        rows = cursor.fetchall()
    return {pk for (pk,) in _converted(rows, [Case._meta.pk])}


def _grants_of(user: User, rows: Iterable[tuple]) -> dict:
    """The grant on each case `rows` name (its terms together), in the order rows name them.
    Guardian's contribute permission is asked only when a may-contribute share is among
    them: one more query then, over those cases alone."""
    found: dict = {}
    for case_id, sections, mode, expires_at in rows:
        found.setdefault(case_id, []).append((sections, mode, expires_at))
    asked = {case_id for case_id, terms in found.items()
             if any(mode == CaseShare.Mode.CONTRIBUTE for _s, mode, _e in terms)}
    contributes = _contributing(user, asked) if asked else set()
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
    found = _grants_of(user, _terms(user, sorted(wanted, key=str)))
    cache.update({case_id: found.get(case_id, NOTHING) for case_id in wanted})


def shared_case_ids(user: User) -> list:
    """The ids of every case a grant of `user` opens now, newest case first, with all their
    grants loaded: one query for the partner's whole list (two with a may-contribute share).
    Its pages are slices of this list and its count is its length, so no COUNT runs over the
    permission subqueries."""
    found = _grants_of(user, _terms(user))
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
    """Break-glass openings of the last `days` (coordinators' dashboard), newest first, with
    only what the panel shows: the times, the user's name and the case's code name (the
    user's, the case's and the defender's other columns were most of the panel's time)."""
    since = timezone.now() - datetime.timedelta(days=days)
    return list(BreakGlass.objects.filter(opened_at__gte=since)
                .select_related("user", "case__defender")
                .only("opened_at", "expires_at", "user__full_name", "case__defender__code_name")
                .order_by("-opened_at")[:20])


def cases_in_order(ids: list) -> list[Case]:
    """The cases of `ids` (from `shared_case_ids`, so already decided), with their defenders'
    code names, in the order of `ids`: one query for a page of the partner's list, which shows
    the code name and the stage (the access log adds the ids), never a sealed field. Unsorted:
    `ids` gives the order."""
    cases = (Case.objects.filter(pk__in=ids).select_related("defender")
             .only("stage", "created_at", "defender__code_name").order_by().in_bulk())
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
