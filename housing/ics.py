"""iCalendar (RFC 5545) export of the schedule: code names and dates only.

No address, no legal name, no host: a calendar file travels (phones, mail, cloud calendars).
Written by hand (small, no dependency): CRLF line ends, text escaping, lines folded at 75
octets, a stable UID per event and the DTSTAMP of the export.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from housing.models import Block
from housing.selectors import ScheduleData

PRODID = "-//Shelter//Housing schedule//EN"


def escape(text: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma and newlines."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets (continuations start with a
    space), never inside a UTF-8 character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def _date(value: datetime.date) -> str:
    return value.strftime("%Y%m%d")


def _event(uid: str, stamp: str, start: datetime.date, end: datetime.date, summary: str,
           category: str) -> list[str]:
    return ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{_date(start)}", f"DTEND;VALUE=DATE:{_date(end)}",
            f"SUMMARY:{escape(summary)}", f"CATEGORIES:{escape(category)}",
            "TRANSP:TRANSPARENT", "END:VEVENT"]


def _unit_events(data: ScheduleData, unit, stamp: str) -> list[str]:
    lines: list[str] = []
    for row in data.bookings.get(unit.pk, []):
        status = _("confirmed") if row["status"] == "confirmed" else _("tentative")
        lines += _event(f"booking-{row['id']}@shelter", stamp, row["start"], row["end"],
                        f"{row['code_name']} · {unit.code_name} ({status})", "booking")
        if row["blocked_until"] > row["end"]:
            lines += _event(f"turnover-{row['id']}@shelter", stamp, row["end"],
                            row["blocked_until"], _("Turnover · %(unit)s") % {
                                "unit": unit.code_name}, "turnover")
    reasons = dict(Block.Reason.choices)
    for b_start, b_end, reason in data.blocks.get(unit.pk, []):
        lines += _event(f"block-{unit.pk}-{_date(b_start)}@shelter", stamp, b_start, b_end,
                        _("Blocked · %(unit)s (%(reason)s)") % {
                            "unit": unit.code_name, "reason": reasons.get(reason, reason)},
                        "blocked")
    return lines


def calendar(data: ScheduleData) -> tuple[str, int]:
    """(the .ics text, number of events) for `data`'s window."""
    stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(_('Housing schedule'))}"]
    events: list[str] = []
    for unit in data.units:
        events += _unit_events(data, unit, stamp)
    lines += events + ["END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines), events.count("BEGIN:VEVENT")
