"""Notes: encrypted, categorised; medical and security notes only for the assigned officer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Note
from cases.sharing.services import break_glass_open
from shelter.audit import Action
from tests.factories import recorded


def add_note(client, case, category, body):
    return client.post(reverse("cases:notes", args=[case.pk]),
                       {"category": category, "body": body})


def test_an_officer_adds_a_note_that_is_stored_encrypted(as_user, otto, case, audit_since):
    assert add_note(as_user(otto), case, "general", "Arrived tired, ZQXJ").status_code == 302
    note = Note.objects.get(case=case)
    assert note.body == "Arrived tired, ZQXJ" and note.author == otto
    raw = Note.objects.filter(pk=note.pk).values_list("body", flat=True).get()
    assert b"ZQXJ" not in raw.blob
    [event] = recorded(audit_since, Action.NOTE_CREATE)
    assert event.facts["category"] == "general" and "ZQXJ" not in str(event.facts)


@pytest.mark.parametrize("category", ["medical", "security"])
def test_restricted_notes_are_invisible_to_an_officer_not_assigned(as_user, olaf, otto, carla,
                                                                   case, category):
    add_note(as_user(olaf), case, category, "Sees a psychologist on Tuesdays")
    url = reverse("cases:notes", args=[case.pk])
    assert b"psychologist" in as_user(olaf).get(url).content
    assert b"psychologist" not in as_user(carla).get(url).content  # only through break-glass
    break_glass_open(case=case, acting_user=carla, reason="Hospital called")
    assert b"psychologist" in as_user(carla).get(url).content
    response = as_user(otto).get(url)
    assert b"psychologist" not in response.content
    assert response.context["withheld"] == 1


def test_an_officer_not_assigned_cannot_write_a_restricted_note(as_user, otto, case):
    response = add_note(as_user(otto), case, "medical", "x")
    assert response.status_code == 200
    assert not Note.objects.exists()
