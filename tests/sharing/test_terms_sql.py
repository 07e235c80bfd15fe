"""The grants' hand-written SQL (`grants._terms_sql`) answers what the ORM and guardian answer."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from cases.models import Case, Defender
from cases.sharing import grants
from cases.sharing.models import CaseShare
from shelter.accounts.models import Organisation
from shelter.accounts.roles import Role
from tests.factories import make_share, make_user, sent_queries


def orm_terms(user, case_ids=None):
    """The same question through the ORM and guardian's `get_objects_for_user`."""
    shares = grants.terms_in_force(user).filter(case__in=grants.permitted_cases(user))
    if case_ids is not None:
        shares = shares.filter(case_id__in=case_ids)
    return list(shares.order_by("-case__created_at", "case_id", "granted_at", "id")
                .values_list("case_id", "sections", "mode", "expires_at"))


def orm_contributing(user, case_ids):
    return set(grants.permitted_cases(user, grants.CONTRIBUTE).filter(pk__in=case_ids)
               .values_list("pk", flat=True))


def cases(n: int) -> list[Case]:
    made = []
    for i in range(n):  # one at a time: each its own creation time, so the order is known
        made.append(Case.objects.create(defender=Defender.objects.create(code_name=f"Tern{i}")))
    return made


@pytest.fixture
def world(carla, pia, paul, ngo, university):
    """Shares of every kind around pia (of the NGO): hers, her organisation's, others'."""
    loner = make_user("lone@example.org", Role.PARTNER, None)
    closed = Organisation.objects.create(name="Closed", kind=Organisation.Kind.UNIVERSITY)
    c = cases(11)
    make_share(c[0], carla, user=pia, sections=["identity"])
    make_share(c[1], carla, organisation=ngo, sections=["contact"], mode="contribute")
    make_share(c[2], carla, user=pia, sections=["residency"], mode="contribute")
    make_share(c[2], carla, organisation=ngo, sections=["identity"])  # two terms, one case
    make_share(c[3], carla, user=paul)  # someone else's
    make_share(c[4], carla, organisation=university)  # another organisation's
    revoked = make_share(c[5], carla, user=pia)
    CaseShare.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    expired = make_share(c[6], carla, user=pia)
    CaseShare.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1))
    make_share(c[7], carla, user=pia)
    remove_perm(grants.VIEW, pia, c[7])  # terms in force, guardian's row gone
    assign_perm(grants.VIEW, pia, c[8])  # guardian's row, no terms
    make_share(c[9], carla, user=loner)
    make_share(c[10], carla, organisation=closed)
    return {"cases": c, "loner": loner, "closed": closed}


def test_the_terms_are_the_orms_for_every_kind_of_share(world, pia, paul, ngo):
    c = world["cases"]
    for user in (pia, paul, world["loner"]):
        assert grants._terms(user) == orm_terms(user)
    got = grants._terms(pia)
    assert [row[0] for row in got] == [c[2].pk, c[2].pk, c[1].pk, c[0].pk]
    assert [row[2] for row in got[:2]] == ["contribute", "read"]  # one case's terms as granted
    assert all(isinstance(row[3], datetime.datetime) and timezone.is_aware(row[3])
               for row in got)
    assert {tuple(row[1]) for row in got} == {("basic", "identity"), ("basic", "contact"),
                                              ("basic", "residency")}
    # An organisation that closed shares nothing with its members any more.
    Organisation.objects.filter(pk=ngo.pk).update(is_active=False)
    pia.refresh_from_db()
    assert grants._terms(pia) == orm_terms(pia) and {row[0] for row in grants._terms(pia)} == {
        c[2].pk, c[0].pk}


def test_the_terms_of_chosen_cases_are_the_orms(world, pia):
    c = world["cases"]
    for chosen in ([c[0].pk], [c[2].pk, c[3].pk, c[7].pk], [str(c[1].pk)], []):
        assert grants._terms(pia, chosen) == orm_terms(pia, chosen)


def test_contribute_is_guardians_answer(world, pia):
    c = world["cases"]
    asked = {case.pk for case in c}
    assert grants._contributing(pia, asked) == orm_contributing(pia, asked) == {c[1].pk, c[2].pk}
    remove_perm(grants.CONTRIBUTE, pia, c[2])
    assert grants._contributing(pia, asked) == orm_contributing(pia, asked) == {c[1].pk}


def test_one_statement_per_database_kind_serves_every_user(world, pia, paul):
    from django.db import connection

    grants._terms_sql.cache_clear()
    sent = [*sent_queries(lambda: grants._terms(pia)), *sent_queries(lambda: grants._terms(paul))]
    assert len(sent) == 2 and grants._terms_sql.cache_info().currsize == 1
    statement = grants._terms_sql(connection.vendor)
    assert "{" not in statement.replace("{cases}", "")  # only the optional case filter is left
    assert str(pia.pk) not in statement and "'" not in statement  # values are parameters
