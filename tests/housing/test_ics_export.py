"""The .ics export: code names and dates only, valid line format, and recorded."""

from __future__ import annotations

from django.urls import reverse

from housing import ics, services
from shelter.audit import Action
from tests.factories import day, recorded


def test_the_export_holds_code_names_and_no_names_or_addresses(as_user, carla, case, unit,
                                                               audit_since):
    services.booking_create(unit=unit, case=case, start=day(1), end=day(5), acting_user=carla,
                            status="confirmed")
    response = as_user(carla).get(f"{reverse('housing:export')}?month={day(1):%Y-%m}&months=2")
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert "Heron" in body and "Linden" in body
    for secret in ("Ana", "Pérez", "Kerkstraat", "Amsterdam", "NL-12"):
        assert secret not in body
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    assert f"DTSTART;VALUE=DATE:{day(1):%Y%m%d}" in body
    assert f"DTEND;VALUE=DATE:{day(5):%Y%m%d}" in body
    assert "UID:booking-" in body and "DTSTAMP:" in body
    [event] = recorded(audit_since, Action.HOUSING_EXPORT)
    assert event.facts["events"] == 1


def test_text_is_escaped_and_long_lines_are_folded_at_75_octets():
    assert ics.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    folded = ics.fold("SUMMARY:" + "é" * 80)
    lines = folded.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert all(line.startswith(" ") for line in lines[1:])
    assert "".join(line[1:] if i else line for i, line in enumerate(lines)) == \
        "SUMMARY:" + "é" * 80
