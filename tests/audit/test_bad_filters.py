"""A bad filter shows its error and no rows, never the unfiltered log; the CSV export with a
bad filter gives no file. Both are recorded, with the names of the refused fields only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shelter import audit
from shelter.audit import Action, Outcome
from tests.factories import events_after, head_seq

pytestmark = pytest.mark.django_db

BAD_FILTERS = {
    "bad date": ({"date_from": "2026-13-45"}, ["date_from"]),
    "not a date": ({"date_to": "yesterday"}, ["date_to"]),
    "unknown action": ({"action": "9999"}, ["action"]),
    "action not a number": ({"action": "view"}, ["action"]),
    "reversed range": ({"date_from": "2026-06-30", "date_to": "2026-06-01"}, ["date_to"]),
    "malformed id": ({"target_id": "x' OR 1=1 --"}, ["target_id"]),
    "id too long": ({"target_id": "a" * 65}, ["target_id"]),
    "unknown user": ({"actor": "999999"}, ["actor"]),
    "user not a number": ({"actor": "olaf"}, ["actor"]),
    "unknown outcome": ({"outcome": "maybe"}, ["outcome"]),
    "good and bad": ({"outcome": "refused", "date_from": "2026-02-30"}, ["date_from"]),
}


@pytest.fixture
def logged(olaf, otto):
    """A log with entries a missing filter would show."""
    for user in (olaf, otto):
        audit.record(user, Action.CASE_VIEW_SECTION, ("cases.case", "case-a"), section="basic")
    audit.record(otto, Action.REFUSED, ("cases.case", "case-b"), Outcome.REFUSED)


@pytest.mark.parametrize("query, fields", BAD_FILTERS.values(), ids=BAD_FILTERS.keys())
def test_a_bad_filter_shows_its_error_and_no_rows(as_user, aud, logged, query, fields):
    client, since = as_user(aud), head_seq()
    response = client.get(reverse("audit:events"), query)
    assert response.status_code == 400
    assert list(response.context["page"]) == []
    assert set(response.context["form"].errors) == set(fields)
    html = response.content.decode()
    assert "field__error" in html and "case-a" not in html and "case-b" not in html
    [entry] = events_after(since)
    assert (entry.action, entry.outcome) == (Action.AUDIT_VIEW, Outcome.ALLOWED)
    assert entry.facts == {"page": "events", "page_number": 1, "filter_invalid": fields}


@pytest.mark.parametrize("query, fields", BAD_FILTERS.values(), ids=BAD_FILTERS.keys())
def test_an_export_with_a_bad_filter_gives_no_file(as_user, aud, logged, query, fields):
    client, since = as_user(aud), head_seq()
    response = client.get(reverse("audit:export"), query)
    assert response.status_code == 400
    assert not response.streaming and "Content-Disposition" not in response
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "field__error" in html and "case-a" not in html and "case-b" not in html
    [entry] = events_after(since)
    assert (entry.action, entry.outcome) == (Action.AUDIT_EXPORT, Outcome.REJECTED)
    assert entry.facts == {"reason": "invalid_filter", "filter_invalid": fields}


def test_a_good_filter_still_filters_and_exports(as_user, aud, logged, otto):
    client = as_user(aud)
    response = client.get(reverse("audit:events"), {"actor": otto.pk, "outcome": "refused"})
    assert response.status_code == 200
    assert [e.target_id for e in response.context["page"]] == ["case-b"]
    export = client.get(reverse("audit:export"), {"date_from": "2026-06-01",
                                                  "date_to": "2026-06-01"})
    assert export.status_code == 200 and export.streaming
