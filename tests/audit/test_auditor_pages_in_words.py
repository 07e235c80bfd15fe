"""Auditors work in human terms: a case found by its code name (exact or its beginning, never
by a legal name), code names beside ids, objects named in words, roles and sections translated."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from shelter import audit
from shelter.audit import Action, Outcome
from shelter.audit.log import build_fields, write_entry
from tests.factories import events_after, head_seq, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def heron(carla, olaf):
    return make_case(carla, officer=olaf)


@pytest.fixture
def herring(carla):
    return make_case(carla, code_name="Herring", legal_name="Bilal Haddad", passport_number="7")


def _about_case(actor, action, target, case, **facts):
    """An entry about `case` whose target is another object (the case column set)."""
    fields = build_fields(actor, action, target, Outcome.ALLOWED, "", facts)
    fields["case_id"] = str(case.pk)
    return write_entry(fields)


def _rows(client, **query):
    response = client.get(reverse("audit:events"), query)
    return response, list(response.context["page"])


def test_a_case_is_found_by_its_code_name_exact_or_its_beginning(as_user, aud, olaf, otto,
                                                                 heron, herring):
    document_id = str(uuid.uuid4())
    audit.record(olaf, Action.CASE_VIEW_SECTION, heron, section="identity")
    _about_case(otto, Action.DOCUMENT_DOWNLOAD, ("cases.document", document_id), heron)
    audit.record(otto, Action.CASE_VIEW_SECTION, herring, section="basic")
    client = as_user(aud)

    response, rows = _rows(client, code_name="heron")
    assert response.status_code == 200
    assert {(e.actor_id, e.target_id) for e in rows if e.action != Action.AUDIT_VIEW} >= {
        (olaf.pk, str(heron.pk)), (otto.pk, document_id)}
    assert str(herring.pk) not in {e.target_id for e in rows}
    _, rows = _rows(client, code_name="Her")
    assert {str(heron.pk), str(herring.pk)} <= {e.target_id for e in rows}
    _, rows = _rows(client, code_name="Herr", action=int(Action.CASE_VIEW_SECTION))
    assert [e.target_id for e in rows] == [str(herring.pk)]


def test_a_legal_name_or_an_unknown_code_name_finds_nothing(as_user, aud, olaf, heron):
    audit.record(olaf, Action.CASE_VIEW_SECTION, heron, section="identity")
    client = as_user(aud)
    for query in ("Ana", "Ana María Pérez", "eron", "Kestrel"):
        response, rows = _rows(client, code_name=query)
        assert response.status_code == 400 and rows == []
        assert "code_name" in response.context["form"].errors
        assert str(heron.pk) not in response.content.decode()


def test_a_code_name_search_records_case_ids_not_the_name(as_user, aud, heron):
    client, since = as_user(aud), head_seq()
    client.get(reverse("audit:events"), {"code_name": "Heron"})
    [entry] = events_after(since)
    assert entry.facts == {"page": "events", "page_number": 1,
                           "filter_cases": [str(heron.pk)], "filter_case_count": 1}
    assert "Heron" not in str(entry.facts)


def test_the_export_follows_the_code_name(as_user, aud, olaf, heron, herring):
    audit.record(olaf, Action.CASE_VIEW_SECTION, heron, section="identity")
    audit.record(olaf, Action.CASE_VIEW_SECTION, herring, section="identity")
    response = as_user(aud).get(reverse("audit:export"), {"code_name": "Heron"})
    content = b"".join(response.streaming_content).decode()
    assert str(heron.pk) in content and str(herring.pk) not in content


def test_pages_name_objects_in_words_with_code_names_beside_ids(as_user, aud, olaf, heron):
    document_id = str(uuid.uuid4())
    _about_case(olaf, Action.DOCUMENT_DOWNLOAD, ("cases.document", document_id), heron)
    audit.record(olaf, Action.CASE_VIEW_SECTION, heron, section="housing_address")
    client = as_user(aud)
    html = client.get(reverse("audit:events")).content.decode()
    assert "cases.document" not in re.sub(r'href="[^"]*"', "", html)
    assert "cases.case " not in html
    assert re.search(r">document</a>\s*<span class=\"log-id\">" + document_id, html)
    assert re.search(r">case Heron</a>\s*<span class=\"log-id\">" + str(heron.pk), html)
    assert "of case <a" in html and "housing address" in html and "Case officer" in html
    page = client.get(reverse("audit:target", args=["cases.case", heron.pk])).content.decode()
    assert "Code name: Heron" in page
    actor = client.get(reverse("audit:actor", args=[olaf.pk])).context["heading"]
    assert actor == f"What {olaf.full_name} (user #{olaf.pk}) did"


def test_roles_sections_and_objects_are_in_dutch(as_user, aud, olaf, heron):
    document_id = str(uuid.uuid4())
    _about_case(olaf, Action.DOCUMENT_DOWNLOAD, ("cases.document", document_id), heron,
                category="medical")
    audit.record(olaf, Action.CASE_VIEW_SECTION, heron, section="housing_address")
    audit.record(olaf, Action.REFUSED, heron, Outcome.REFUSED, section="notes.medical")
    client = as_user(aud)
    client.cookies["django_language"] = "nl"
    html = client.get(reverse("audit:events")).content.decode()
    for dutch in ("Casemanager", "huisvestingsadres", "notities (medisch)", ">document</a>",
                  ">casus Heron</a>", "van casus"):
        assert dutch in html, dutch
    for english in ("Case officer", "housing_address", "notes.medical", "of case"):
        assert english not in html, english


def test_the_signals_name_the_cases_of_a_burst(as_user, aud, olaf, heron, settings):
    settings.SHELTER_AUDIT_BURST_CASES = 2
    audit.record(olaf, Action.CASE_VIEW_SECTION, heron, section="basic")
    audit.record(olaf, Action.CASE_VIEW_SECTION, ("cases.case", str(uuid.uuid4())))
    html = as_user(aud).get(reverse("audit:anomalies")).content.decode()
    assert f'Heron <span class="log-id">{heron.pk}</span>' in html


def test_the_signals_page_lists_integrity_failures(as_user, aud, olaf):
    document_id = str(uuid.uuid4())
    audit.record(olaf, Action.INTEGRITY_FAILURE, ("cases.document", document_id),
                 reason="authentication")
    audit.record(olaf, Action.DOCUMENT_DOWNLOAD, ("cases.document", str(uuid.uuid4())))
    response = as_user(aud).get(reverse("audit:anomalies"))
    failures = response.context["integrity_failures"]
    assert [e.target_id for e in failures] == [document_id]
    assert document_id in response.content.decode()
