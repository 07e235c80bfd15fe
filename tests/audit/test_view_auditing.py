"""Read auditing in views (a guard, the refusal helper, the middleware) and failing closed."""

from __future__ import annotations

import pytest
from django.db import DatabaseError

from shelter.accounts.models import User
from shelter.accounts.roles import Role
from shelter.audit import Action
from tests.audit.urls import SECRET
from tests.factories import events_after, head_seq

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.audit.urls")]


def new_entries(since: int) -> list:
    """Entries after `since`, without the sign-ins of the test clients themselves."""
    return [e for e in events_after(since) if e.action != Action.SIGN_IN]


def test_allowed_read_writes_one_entry(as_user, olaf, since):
    response = as_user(olaf).get("/test-cases/c-1/identity/")
    assert response.status_code == 200
    [entry] = new_entries(since)
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id, entry.section,
            entry.outcome) == (olaf.pk, Action.CASE_VIEW_SECTION, "cases.case", "c-1",
                               "identity", "allowed")
    assert entry.request_id == response["X-Request-ID"]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("pk, status, facts", [("hidden", 404, {}),
                                               ("forbidden", 403, {"reason": "read_only"})])
def test_refused_read_writes_one_refusal(as_user, paul, since, pk, status, facts, method):
    """The guard's refusal is the one entry: the middleware does not add a second."""
    response = getattr(as_user(paul), method)(f"/test-cases/{pk}/identity/")
    assert response.status_code == status and SECRET.encode() not in response.content
    [entry] = new_entries(since)
    assert (entry.actor_id, entry.outcome, entry.target_id, entry.section, entry.facts) == (
        paul.pk, "refused", pk, "identity", facts)


def test_each_view_records_its_own_section(as_user, olaf, paul, since):
    as_user(olaf).get("/test-cases/c-2/documents/")
    as_user(paul).get("/test-cases/hidden/documents/")
    allowed, refused = new_entries(since)
    assert (allowed.section, allowed.outcome, refused.section, refused.outcome) == (
        "documents", "allowed", "documents", "refused")


def test_post_to_a_guarded_view_leaves_writes_to_services(as_user, olaf, since):
    assert as_user(olaf).post("/test-cases/c-3/identity/").status_code == 200
    assert new_entries(since) == []


def test_record_refusal_is_not_recorded_twice(as_user, otto, since):
    assert as_user(otto).get("/test-cases/c-4/medical/").status_code == 404
    [entry] = new_entries(since)
    assert (entry.section, entry.facts) == ("medical", {"reason": "not_assigned"})


def test_middleware_records_unaudited_404_on_case_routes(as_user, pia, since):
    assert as_user(pia).get("/test-cases/c-5/raw/").status_code == 404
    [entry] = new_entries(since)
    assert (entry.action, entry.target_type, entry.target_id, entry.outcome, entry.facts) == (
        Action.REFUSED, "cases.case", "c-5", "refused", {"route": "raw", "status": 404})


def test_middleware_ignores_routes_outside_guarded_namespaces(as_user, pia, since):
    assert as_user(pia).get("/elsewhere/c-6/").status_code == 404
    assert new_entries(since) == []


@pytest.fixture
def break_log(monkeypatch):
    """break_log() makes every write to the log fail from now on (sign in clients first)."""
    def refuse(fields, using):
        raise DatabaseError("disk full")

    return lambda: monkeypatch.setattr("shelter.audit.log._insert", refuse)


# Failing closed marks the whole transaction for rollback, the test's own one included:
# these tests run without a wrapping transaction.
fail_closed = pytest.mark.django_db(transaction=True)


@fail_closed
def test_read_fails_closed_without_showing_content(as_user, olaf, break_log):
    client, since = as_user(olaf), head_seq()
    break_log()
    response = client.get("/test-cases/c-7/identity/")
    assert response.status_code == 503
    body = response.content.decode()
    assert SECRET not in body and ("nothing" in body.lower() or "niets" in body.lower())
    assert new_entries(since) == []


@fail_closed
def test_refusal_fails_closed(as_user, pia, break_log):
    client = as_user(pia)
    break_log()
    assert client.get("/test-cases/c-8/raw/").status_code == 503


@fail_closed
def test_write_fails_closed_and_changes_nothing(as_user, carla, municipality, break_log):
    client, since = as_user(carla), head_seq()
    break_log()
    response = client.post("/accounts/people/invite/", {
        "email": "new.person@example.org", "full_name": "New Person",
        "role": Role.CASE_OFFICER, "organisation": municipality.pk})
    assert response.status_code == 503
    assert not User.objects.filter(email="new.person@example.org").exists()
    assert new_entries(since) == []


@fail_closed
def test_sign_in_fails_closed(olaf, break_log):
    from django.test import Client

    client = Client()
    break_log()
    response = client.post("/accounts/sign-in/", {"email": olaf.email, "password": "x" * 12})
    assert response.status_code == 503
