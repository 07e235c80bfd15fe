"""A housing unit whose address fails authentication: withheld on its page, kept on edit."""

from __future__ import annotations

from django.urls import reverse

from housing.models import Unit
from shelter.audit import Action
from tests.cases.test_integrity_failure_pages import MESSAGE, flip_byte, raw
from tests.factories import recorded


def test_a_broken_address_is_withheld_and_the_edit_form_keeps_its_ciphertext(
        as_user, carla, unit, audit_since):
    flip_byte(Unit, unit.pk, "address")
    broken = raw(Unit, unit.pk, "address")
    client = as_user(carla)
    page = client.get(reverse("housing:unit", args=[unit.pk]))
    assert page.status_code == 200 and MESSAGE in page.content.decode()
    assert "Kerkstraat" not in page.content.decode()
    edit = reverse("housing:unit_edit", args=[unit.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"code_name": "Linden", "kind": unit.kind, "capacity": 2,
                                  "turnover_buffer_days": 0, "is_active": "on",
                                  "address": MESSAGE, "notes": "Key at the desk"})
    assert response.status_code == 302
    assert raw(Unit, unit.pk, "address") == broken
    assert Unit.objects.get(pk=unit.pk).notes == "Key at the desk"
    events = recorded(audit_since, Action.INTEGRITY_FAILURE)
    assert {(e.target_type, e.target_id) for e in events} == {("housing.unit", str(unit.pk))}
    assert {e.facts["column"] for e in events} == {"address"}
