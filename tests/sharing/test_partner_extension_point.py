"""The single extension point for shares: filling it in opens exactly what it names."""

from __future__ import annotations

import pytest
from django.db.models import Q
from django.urls import reverse

from cases import policies
from cases.models import Note
from cases.selectors import visible_cases


@pytest.fixture
def basic_share_for_pia(monkeypatch, pia, case):
    """Pretend pia holds a share of `case` for the "basic" section only."""
    monkeypatch.setattr(policies, "partner_cases_filter",
                        lambda user: Q(pk=case.pk) if user == pia else None)
    monkeypatch.setattr(policies, "partner_share_allows",
                        lambda user, c, section: user == pia and c.pk == case.pk
                        and section == "basic")


def test_a_share_opens_the_named_section_only(as_user, pia, paul, case, basic_share_for_pia):
    assert list(visible_cases(pia)) == [case]
    assert not visible_cases(paul).exists()
    client = as_user(pia)
    page = client.get(reverse("cases:profile", args=[case.pk]))
    assert page.status_code == 200
    assert b"Heron" in page.content and "Pérez".encode() not in page.content
    for route in ("residency", "documents", "notes", "history"):
        assert client.get(reverse(f"cases:{route}", args=[case.pk])).status_code == 404
    assert client.get(reverse("cases:list")).status_code == 404


def test_restricted_notes_need_their_own_named_share(pia, case, basic_share_for_pia):
    note = Note(case=case, category="medical", body="x")
    assert not policies.can_view_note_category(pia, note.case, note.category)
