"""Partner case list at scale on PostgreSQL: the plan has no sequential scan of the cases table,
and the partner's list costs at most 1.2 × the coordinator's unfiltered list.

Dataset (bulk_create, encrypted fields left empty): SHELTER_BENCH_SHARING_CASES cases (default
10 000), 500 partner users in 25 organisations, ~40 personal shares per partner and ~80 per
organisation, a tenth of them expired or revoked, with their guardian rows.
The run uses a throw-away database `shelter_bench_sharing` (or SHELTER_BENCH_SHARING_DB) on the
server of SHELTER_BENCH_PG_URL, in a subprocess; without that variable it starts a temporary
server of its own (bench/pgtemp.py), or reports that PostgreSQL is not installed.
"""

from __future__ import annotations

import datetime
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("SHELTER_BENCH_PG_URL", "")
CASES = int(os.environ.get("SHELTER_BENCH_SHARING_CASES", "10000"))
PARTNERS, ORGANISATIONS, ROUNDS = 500, 25, 60
DB_NAME = os.environ.get("SHELTER_BENCH_SHARING_DB", "shelter_bench_sharing")
UNUSABLE = "!"  # Django's marker for "no password can match" (nobody signs in here)


def _fresh_database() -> str:
    from pgtemp import fresh_database

    return fresh_database(PG_URL, DB_NAME)


def _setup() -> None:
    os.environ["DATABASE_URL"] = _fresh_database()
    os.environ["DJANGO_SETTINGS_MODULE"] = "shelter.settings_test"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _people():
    from django.contrib.auth.models import Group

    from shelter.accounts.models import Organisation, User
    from shelter.accounts.roles import Role

    municipality = Organisation.objects.create(name="Municipality", kind="municipality")
    coordinator = User.objects.create_user("carla@bench.org", full_name="carla",
                                           organisation=municipality)
    coordinator.groups.add(Group.objects.get(name=Role.COORDINATOR))
    orgs = Organisation.objects.bulk_create(
        [Organisation(name=f"Partner {i}", kind="coordinating_ngo") for i in range(ORGANISATIONS)])
    partners = User.objects.bulk_create(
        [User(email=f"p{i}@bench.org", full_name=f"p{i}", password=UNUSABLE,
              organisation=orgs[i % ORGANISATIONS]) for i in range(PARTNERS)])
    role = Group.objects.get(name=Role.PARTNER)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=p.pk, group_id=role.pk) for p in partners])
    return coordinator, orgs, partners


def _org_groups(orgs, partners) -> dict:
    from django.contrib.auth.models import Group

    from cases.sharing.models import OrganisationGroup
    from shelter.accounts.models import User

    groups = Group.objects.bulk_create([Group(name=f"shelter-organisation-{o.pk}") for o in orgs])
    OrganisationGroup.objects.bulk_create(
        [OrganisationGroup(organisation=o, group=g) for o, g in zip(orgs, groups, strict=True)])
    by_org = {o.pk: g for o, g in zip(orgs, groups, strict=True)}
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=p.pk, group_id=by_org[p.organisation_id].pk)
         for p in partners])
    return by_org


def _cases():
    from cases.models import Case, Defender

    defenders = Defender.objects.bulk_create(
        [Defender(code_name=f"D{i:05d}") for i in range(CASES)], batch_size=2000)
    now = datetime.datetime.now(datetime.UTC)
    cases = Case.objects.bulk_create(
        [Case(defender=d) for d in defenders], batch_size=2000)
    # auto_now_add gives one timestamp per batch; spread them as real data would be
    for i, case in enumerate(cases):
        case.created_at = now - datetime.timedelta(minutes=i)
    Case.objects.bulk_update(cases, ["created_at"], batch_size=2000)
    return cases


def _shares(coordinator, orgs, partners, cases, groups) -> None:
    from django.contrib.auth.models import Permission

    from cases.sharing.models import CaseGroupObjectPermission, CaseShare, CaseUserObjectPermission

    rng = random.Random(7)
    view = Permission.objects.get(codename="view_case")
    now = datetime.datetime.now(datetime.UTC)
    shares, user_perms, group_perms = [], set(), set()
    grantees = [("user", p) for p in partners for _ in range(40)] + \
        [("org", o) for o in orgs for _ in range(80)]
    for kind, grantee in grantees:
        case = rng.choice(cases)
        stale = rng.random() < 0.1
        shares.append(CaseShare(
            case=case, grantee_user=grantee if kind == "user" else None,
            grantee_organisation=grantee if kind == "org" else None, sections=["basic"],
            expires_at=now + datetime.timedelta(days=-1 if stale else 30), granted_by=coordinator,
            consent_on=now.date()))
        if not stale:
            (user_perms if kind == "user" else group_perms).add((grantee.pk, case.pk))
    CaseShare.objects.bulk_create(shares, batch_size=5000)
    CaseUserObjectPermission.objects.bulk_create(
        [CaseUserObjectPermission(user_id=u, content_object_id=c, permission=view)
         for u, c in user_perms], batch_size=5000)
    CaseGroupObjectPermission.objects.bulk_create(
        [CaseGroupObjectPermission(group_id=groups[o].pk, content_object_id=c, permission=view)
         for o, c in group_perms], batch_size=5000)


def _median_ms(fn) -> float:
    fn()
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _child() -> None:
    _setup()
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases import selectors
    from cases.models import Case
    from cases.sharing import grants
    from cases.sharing.views import share_rows
    from shelter.accounts.models import User

    started = time.perf_counter()
    coordinator, orgs, partners = _people()
    groups = _org_groups(orgs, partners)
    cases = _cases()
    _shares(coordinator, orgs, partners, cases, groups)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"dataset: {CASES} cases, {PARTNERS} partners, built in "
          f"{time.perf_counter() - started:.1f} s")
    partner = User.objects.get(pk=partners[123].pk)
    coordinator = User.objects.get(pk=coordinator.pk)
    ids = grants.shared_case_ids(partner)
    sql, params = grants.terms_statement(partner)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ANALYZE {sql}", params)
        plans = [("its grants and ids", "\n".join(row[0] for row in cursor.fetchall()))]
    plans.append(("the page of 50 rows", Case.objects.filter(pk__in=ids[:50])
                  .select_related("defender").explain(analyze=True)))
    for what, plan in plans:
        print(f"EXPLAIN ANALYZE (partner list, {what}):\n" + plan)
        assert not re.search(r"Seq Scan on cases_case\b", plan), \
            "sequential scan of the cases table"

    def partner_list():
        user = User.objects.get(pk=partner.pk)  # a new request: nothing cached
        page = Paginator(grants.shared_case_ids(user), 50).get_page(1)
        share_rows(user, grants.cases_in_order(list(page.object_list)))

    def coordinator_list():
        user = User.objects.get(pk=coordinator.pk)
        list(selectors.cases_visible_to(user)[:50])

    def coordinator_page():  # as the case list pages it: with the paginator's COUNT
        user = User.objects.get(pk=coordinator.pk)
        list(Paginator(selectors.cases_visible_to(user), 50).get_page(1).object_list)

    with CaptureQueriesContext(connection) as queries:
        partner_list()
    print(f"partner list queries: {len(queries)} (the user, its grants with the ids, the page; "
          "its shares are read only: no contribute query)")
    assert len(queries) == 3, [q["sql"] for q in queries]
    p_ms, c_ms = _median_ms(partner_list), _median_ms(coordinator_list)
    counted_ms = _median_ms(coordinator_page)
    print(f"partner list: {min(len(ids), 50)} of {len(ids)} rows, median {p_ms:.2f} ms "
          "(list + its shares)")
    print(f"coordinator list (unfiltered, 50 rows, no count): median {c_ms:.2f} ms")
    print(f"coordinator page (unfiltered, with its COUNT): median {counted_ms:.2f} ms, "
          f"partner/that: {p_ms / counted_ms:.2f}")
    print(f"ratio partner/coordinator: {p_ms / c_ms:.2f} (target <= 1.2)")


def main() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if PG_URL:
        subprocess.run([sys.executable, __file__, "--child"], check=True, env=env, cwd=ROOT)
        return
    from pgtemp import NoPostgres, temporary_server

    try:
        with temporary_server() as url:
            env["SHELTER_BENCH_PG_URL"] = url
            subprocess.run([sys.executable, __file__, "--child"], check=True, env=env,
                           cwd=ROOT)
    except NoPostgres as exc:
        print(f"SKIPPED: {exc}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        _child()
    else:
        main()
