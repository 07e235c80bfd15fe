"""A page that shows several defenders writes one access log line per data subject: each
names its case and the defender's pseudonym, all in the request's trace, in one statement."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shelter.audit import Action
from shelter.audit.models import AuditEvent
from shelter.crypto.keyring import audit_subject_pseudonym
from tests.factories import head_seq, make_case, make_share, recorded, verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit_since():
    return head_seq()


@pytest.fixture
def three_cases(carla, olaf):
    return [make_case(carla, officer=olaf, code_name=name, legal_name=f"{name} Demo Person",
                      passport_number=f"P-{i}") for i, name in enumerate(["Heron", "Ibis", "Wren"])]


def test_the_case_list_writes_one_line_per_data_subject(olaf, three_cases):
    client = verified_client(olaf)
    audit_since = head_seq()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:list"))
    assert response.status_code == 200
    lines = recorded(audit_since, Action.CASE_LIST)
    assert len(lines) == 3
    assert {line.case_id for line in lines} == {str(c.pk) for c in three_cases}
    assert {line.subject_id for line in lines} == {
        audit_subject_pseudonym(c.defender_id) for c in three_cases}
    assert sorted(line.facts["row"] for line in lines) == [1, 2, 3]
    assert {line.facts["rows"] for line in lines} == {3}
    assert len({line.request_id for line in lines}) == 1  # one request, one trace
    assert len({line.span_id for line in lines}) == 3
    assert {(line.activity, line.activity_version) for line in lines} == {("residency", 1)}
    # No name reaches the log; the lines are one INSERT.
    for line in lines:
        assert "Demo" not in str(line.facts) and "Heron" not in str(line.facts)
    inserts = [q for q in queries.captured_queries
               if q["sql"].startswith('INSERT INTO "audit_auditevent"')]
    assert len(inserts) == 1


def test_an_empty_list_still_writes_its_one_line(olaf, audit_since):
    assert verified_client(olaf).get(reverse("cases:list")).status_code == 200
    [line] = recorded(audit_since, Action.CASE_LIST)
    assert (line.case_id, line.subject_id, line.facts["results"]) == ("", "", 0)


def test_a_partners_shared_list_writes_a_line_per_shared_case(carla, pia, three_cases,
                                                              audit_since):
    for case in three_cases[:2]:
        make_share(case, carla, user=pia, sections=["basic"])
    assert verified_client(pia).get(reverse("cases:shared_with_me")).status_code == 200
    lines = recorded(audit_since, Action.CASE_LIST)
    assert {line.case_id for line in lines} == {str(c.pk) for c in three_cases[:2]}
    assert {line.activity for line in lines} == {"sharing"}


def test_the_chain_verifies_after_lines_written_together(olaf, three_cases):
    from shelter.audit.chain import verify_chain

    verified_client(olaf).get(reverse("cases:list"))
    assert verify_chain().ok


def test_statistics_are_one_entry_without_a_subject(olaf, three_cases):
    client = verified_client(olaf)
    since = head_seq()
    assert client.get(reverse("cases:statistics")).status_code == 200
    [line] = recorded(since, Action.STATISTICS_VIEW)
    assert (line.subject_id, line.case_id, line.activity) == ("", "", "statistics")
    assert set(line.facts) == {"year"}


def test_many_lines_go_in_as_the_orm_would_store_them(olaf, three_cases):
    """More lines than one statement takes: contiguous, chained, and each column's stored text
    the same as an entry written through the ORM with the same facts."""
    from shelter.audit.chain import verify_chain
    from shelter.audit.log import record, record_each

    targets = three_cases * 40  # 120 lines of 23 columns: over SQLite's 999 parameters
    since = head_seq()
    with CaptureQueriesContext(connection) as queries:
        assert record_each(olaf, Action.CASE_LIST, targets, section="basic", results=3) == 120
    lines = recorded(since)
    assert [line.seq for line in lines] == list(range(since + 1, since + 121))
    assert [line.facts["row"] for line in lines] == list(range(1, 121))
    assert [line.case_id for line in lines] == [str(c.pk) for c in targets]
    assert len({line.span_id for line in lines}) == 120
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert 1 <= len(inserts) <= (3 if connection.vendor == "sqlite" else 1)
    assert verify_chain().ok

    single = record(olaf, Action.CASE_LIST, three_cases[0], section="basic", results=3, row=1,
                    rows=120)
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, time, facts, actor_id, action, organisation_id "
                       "FROM audit_auditevent WHERE seq IN (%s, %s) ORDER BY seq",
                       [since + 1, single.seq])
        (_s, each_time, each_facts, *each_rest), (_s2, one_time, one_facts, *one_rest) = (
            cursor.fetchall())
    assert each_facts == one_facts and each_rest == one_rest
    assert type(each_time) is type(one_time)
    if isinstance(each_time, str):  # SQLite keeps text: the same shape, so time order holds
        assert len(each_time) == len(one_time) and each_time[10] == one_time[10]
    assert AuditEvent.objects.get(seq=since + 1).time <= single.time
