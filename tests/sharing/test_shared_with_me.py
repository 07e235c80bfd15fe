"""The partner's "Shared with me" list: their cases only, sections and expiry, constant cost."""

from __future__ import annotations

import datetime

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, Defender
from cases.sharing import grants
from cases.sharing.models import CaseUserObjectPermission
from cases.sharing.views import share_rows
from tests.factories import make_case, make_share


def bulk_cases(n: int, prefix: str) -> list[Case]:
    defenders = Defender.objects.bulk_create(
        [Defender(code_name=f"{prefix}{i}") for i in range(n)])
    return Case.objects.bulk_create([Case(defender=d) for d in defenders])


def share_many(cases, carla, pia, ngo) -> None:
    for i, case in enumerate(cases):
        if i % 2:
            make_share(case, carla, organisation=ngo, sections=["identity"])
        else:
            make_share(case, carla, user=pia, sections=["documents"], mode="contribute")
    assert CaseUserObjectPermission.objects.exists()


AUDIT_INSERT = 'INSERT INTO "audit_auditevent"'


def page_queries(client) -> tuple[int, bytes]:
    """The page's queries apart from the access log's INSERT of its lines (one per case on the
    page, in one statement; SQLite takes at most 999 parameters a statement, so two there)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:shared_with_me"))
    assert response.status_code == 200
    inserts = [q for q in queries.captured_queries if q["sql"].startswith(AUDIT_INSERT)]
    assert 1 <= len(inserts) <= (1 if connection.vendor == "postgresql" else 2)
    return len(queries) - len(inserts), response.content


@pytest.mark.parametrize("sizes", [(3, 60)])
def test_the_list_costs_the_same_number_of_queries_whatever_the_size(
        as_user, carla, pia, ngo, sizes, settings):
    small, large = sizes
    cases = bulk_cases(large, "Wren")
    bulk_cases(40, "Hidden")  # not shared
    share_many(cases[:small], carla, pia, ngo)
    few, _ = page_queries(as_user(pia))
    share_many(cases[small:], carla, pia, ngo)
    many, content = page_queries(as_user(pia))
    print(f"shared_with_me page queries: {few} ({small} cases) vs {many} ({large} cases)")
    assert few == many
    # The list itself is ≤ 3 (next test: count, page, grants); the rest is what every page
    # costs: session, user, role, OTP device, the audit head, and the bell's unread count.
    assert many <= 12
    assert content.count(b"/cases/") >= 50 and b"Hidden" not in content


def test_the_list_query_itself_is_at_most_3_queries(carla, pia, ngo):
    cases = bulk_cases(60, "Wren")
    share_many(cases, carla, pia, ngo)
    with CaptureQueriesContext(connection) as queries:
        page = Paginator(grants.cases_shared_with(pia), 50).get_page(1)
        rows = share_rows(pia, list(page.object_list))
        [r["case"].defender.code_name for r in rows]
    print(f"partner list (50 rows) queries: {len(queries)}")
    assert len(rows) == 50 and len(queries) <= 3


def test_the_list_shows_sections_and_expiry_and_nothing_unshared(as_user, carla, pia, paul,
                                                                 case):
    other = make_case(carla, code_name="Ibis", legal_name="Juan", passport_number="X1")
    share = make_share(case, carla, user=pia, sections=["identity"], days=10)
    make_share(other, carla, user=paul)
    page = as_user(pia).get(reverse("cases:shared_with_me")).content
    assert b"Heron" in page and b"Ibis" not in page
    # Shown as the last day the share holds (it expires at the following midnight).
    last = share.expires_at - datetime.timedelta(days=1)
    assert f"{last.day} {last:%B} {last.year}".encode() in page  # in words


def test_staff_have_no_shared_with_me_page(as_user, olaf):
    assert as_user(olaf).get(reverse("cases:shared_with_me")).status_code == 404


def test_the_dashboard_warns_of_shares_ending_within_14_days(as_user, carla, pia, case):
    make_share(case, carla, user=pia, days=10)
    response = as_user(pia).get(reverse("dashboard"))
    assert b"Heron" in response.content
    assert any(p.get("template") == "sharing/panel_expiring.html" and p["shares"]
               for p in response.context["panels"])
