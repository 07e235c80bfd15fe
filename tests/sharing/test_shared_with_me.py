"""The partner's "Shared with me" list: their cases only, sections and expiry, constant cost."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Defender
from cases.sharing import grants, services
from cases.sharing.models import CaseShare, CaseUserObjectPermission
from cases.sharing.views import share_rows
from shelter.audit import Action
from tests.factories import head_seq, make_case, make_share, recorded, sent_queries


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


def test_the_list_query_itself_is_2_queries_whatever_the_size(carla, pia, ngo):
    cases = bulk_cases(60, "Wren")
    share_many(cases, carla, pia, ngo)
    grants.forget(pia)

    shown = {}

    def one_page():
        ids = grants.shared_case_ids(pia)
        page = Paginator(ids, 50).get_page(1)
        shown.update(ids=ids, count=page.paginator.count, rows=share_rows(
            pia, grants.cases_in_order(list(page.object_list))))

    sent = sent_queries(one_page)
    print(f"partner list (50 rows) queries: {len(sent)}")
    newest = Case.objects.order_by("-created_at", "pk").values_list("pk", flat=True)
    assert len(shown["ids"]) == shown["count"] == 60
    assert [r["case"].pk for r in shown["rows"]] == list(newest.filter(pk__in=shown["ids"])[:50])
    # The grants of the whole list (ids, terms), guardian's contribute permission on the
    # may-contribute ones, then the page's cases: no COUNT.
    assert len(sent) == 3 and not any("COUNT(" in sql for sql in sent)
    assert 'FROM "cases_caseshare"' in sent[0] and '"cases_caseuserobjectpermission"' in sent[0]
    assert sent[1].startswith('SELECT c."id" FROM "cases_case"') and "codename" in sent[1]
    assert '"cases_defender"' in sent[2]


def test_read_only_shares_cost_no_contribute_query(carla, pia):
    for case in bulk_cases(5, "Wren"):
        make_share(case, carla, user=pia, sections=["identity"])
    grants.forget(pia)
    sent = sent_queries(lambda: grants.shared_case_ids(pia))
    assert len(sent) == 1 and 'FROM "cases_caseshare"' in sent[0]
    assert not any(grant.contribute for grant in grants._cache(pia).values())


def test_contribute_needs_both_the_share_and_guardian_s_permission(carla, pia):
    kept, lost = bulk_cases(2, "Wren")
    for case in (kept, lost):
        make_share(case, carla, user=pia, sections=["documents"], mode="contribute")
    CaseUserObjectPermission.objects.filter(
        content_object=lost, permission__codename=grants.CONTRIBUTE).delete()
    grants.forget(pia)
    grants.shared_case_ids(pia)
    assert grants.loaded_grant(pia, kept).contribute
    assert not grants.loaded_grant(pia, lost).contribute
    assert "basic" in grants.loaded_grant(pia, lost).sections  # it still opens the case


def test_the_page_loads_the_grants_once_with_the_ids(as_user, carla, pia, ngo):
    share_many(bulk_cases(5, "Wren"), carla, pia, ngo)
    sent = sent_queries(lambda: as_user(pia).get(reverse("cases:shared_with_me")))
    shares = [sql for sql in sent if 'FROM "cases_caseshare"' in sql]
    assert len(shares) == 1 and not any("COUNT(" in sql and "caseshare" in sql for sql in sent)


def shown_code_names(client, page=None) -> list[str]:
    url = reverse("cases:shared_with_me") + (f"?page={page}" if page else "")
    content = client.get(url).content.decode()
    return re.findall(r'<th scope="row"><a href="/cases/[0-9a-f-]+/">([^<]+)</a>', content)


def test_the_partner_sees_exactly_the_cases_granted_now(as_user, carla, pia, paul, ngo,
                                                         university):
    mine, org, gone, revoked, expired, pauls = bulk_cases(6, "Case")
    make_share(mine, carla, user=pia)
    make_share(org, carla, organisation=ngo)
    make_share(gone, carla, organisation=ngo)
    ngo_share = CaseShare.objects.get(case=gone)
    make_share(revoked, carla, user=pia)
    services.share_revoke(share=CaseShare.objects.get(case=revoked), acting_user=carla,
                          reason="No longer needed")
    make_share(expired, carla, user=pia)
    CaseShare.objects.filter(case=expired).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1))
    make_share(pauls, carla, user=paul)
    make_share(pauls, carla, organisation=university)
    CaseShare.objects.filter(pk=ngo_share.pk).update(
        revoked_at=timezone.now())  # the terms end; guardian's row is still there
    client = as_user(pia)
    seq = head_seq()
    assert sorted(shown_code_names(client)) == ["Case0", "Case1"]
    assert {line.facts["results"] for line in recorded(seq, Action.CASE_LIST)} == {2}


def test_pages_split_the_granted_list_and_count_it(as_user, carla, pia, ngo):
    share_many(bulk_cases(53, "Wren"), carla, pia, ngo)
    client = as_user(pia)
    seq = head_seq()
    first, second = shown_code_names(client), shown_code_names(client, 2)
    assert len(first) == 50 and len(second) == 3 and not set(first) & set(second)
    assert sorted(first + second) == sorted(f"Wren{i}" for i in range(53))
    lines = recorded(seq, Action.CASE_LIST)
    assert len(lines) == 53 and {line.facts["results"] for line in lines} == {53}
    assert {line.facts["page"] for line in lines} == {1, 2}
    assert b"Page 2 of 2" in client.get(reverse("cases:shared_with_me") + "?page=2").content


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
