"""Every route of the case workspace, generated from the URL configuration, for each persona.

Partners and auditors get 404 everywhere (existence is secret) and each refusal is recorded.
"""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, get_resolver, reverse

from cases.models import Activity, Document, Task
from shelter.audit import Action
from tests.factories import recorded


def case_routes() -> list[str]:
    namespace = get_resolver().namespace_dict["cases"][1]
    return sorted(p.name for p in namespace.url_patterns if isinstance(p, URLPattern))


def url_for(name: str, case) -> str:
    pattern = next(p for p in get_resolver().namespace_dict["cases"][1].url_patterns
                   if p.name == name)
    keys = pattern.pattern.converters
    kwargs = {}
    if "pk" in keys:
        kwargs["pk"] = case.pk
    if "document_id" in keys:
        kwargs["document_id"] = (Document.objects.filter(case=case).values_list("pk", flat=True)
                                 .first() or uuid.uuid4())
    if "activity_id" in keys:
        kwargs["activity_id"] = (Activity.objects.filter(case=case).values_list("pk", flat=True)
                                 .first() or uuid.uuid4())
    if "share_id" in keys:
        kwargs["share_id"] = uuid.uuid4()
    if "round_id" in keys:
        kwargs["round_id"] = uuid.uuid4()
    if "leg_id" in keys:
        kwargs["leg_id"] = uuid.uuid4()
    if "companion_id" in keys:
        kwargs["companion_id"] = uuid.uuid4()
    if "task_id" in keys:
        kwargs["task_id"] = Task.objects.filter(case=case).values_list("pk", flat=True).first() \
            or uuid.uuid4()
    return reverse(f"cases:{name}", kwargs=kwargs)


ROUTES = case_routes()


def test_the_route_list_is_not_empty():
    assert {"list", "profile", "documents", "document_download", "notes"} <= set(ROUTES)


# Pages where a partner looks among what is shared with them: answered, revealing nothing.
PARTNER_LISTS = {"shared_with_me", "search", "agenda"}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("persona", ["pia", "paul", "aud"])
def test_partners_without_shares_and_auditors_get_404_on_every_case_route(
        request, as_user, case, route, persona, method, audit_since):
    user = request.getfixturevalue(persona)
    response = getattr(as_user(user), method)(url_for(route, case))
    if persona != "aud" and route in PARTNER_LISTS:
        assert response.status_code in (200, 405)
        assert case.defender.code_name.encode() not in response.content
        return
    assert response.status_code in (404, 405)
    if response.status_code == 404:
        events = [e for e in recorded(audit_since) if e.target_type == "cases.case"]
        assert events and all(e.outcome == "refused" for e in events)
    assert case.defender.code_name.encode() not in response.content


@pytest.mark.parametrize("route", ["profile", "residency", "documents", "notes", "tasks",
                                   "history"])
def test_a_case_that_does_not_exist_answers_404_like_a_hidden_one(as_user, olaf, route, db):
    response = as_user(olaf).get(reverse(f"cases:{route}", args=[uuid.uuid4()]))
    assert response.status_code == 404


@pytest.mark.parametrize("route", ["profile", "residency", "programme", "documents", "notes",
                                   "tasks", "history"])
def test_each_section_read_is_recorded(as_user, otto, case, route, audit_since):
    assert as_user(otto).get(reverse(f"cases:{route}", args=[case.pk])).status_code == 200
    reads = recorded(audit_since, Action.CASE_VIEW_SECTION)
    assert reads and all(e.target_id == str(case.pk) and e.actor_id == otto.pk for e in reads)


def test_the_profile_records_one_read_naming_every_section_shown(as_user, otto, case,
                                                                  audit_since):
    as_user(otto).get(reverse("cases:profile", args=[case.pk]))
    reads = recorded(audit_since, Action.CASE_VIEW_SECTION)
    assert len(reads) == 1 and reads[0].section == "basic"
    assert reads[0].facts["sections"] == ["basic", "identity", "contact"]


def test_the_access_history_is_hidden_from_an_officer_not_assigned(as_user, otto, olaf, case):
    assert b"Access history" not in as_user(otto).get(
        reverse("cases:history", args=[case.pk])).content
    assert b"Access history" in as_user(olaf).get(
        reverse("cases:history", args=[case.pk])).content
