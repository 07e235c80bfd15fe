"""CSV export of the access log, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import translation

from shelter.audit.chain import format_time
from shelter.audit.models import AuditEvent

COLUMNS = ["seq", "time", "actor_id", "actor_role", "organisation_id", "action", "action_name",
           "target_type", "target_id", "section", "outcome", "request_id", "ip_address",
           "user_agent", "facts", "hash", "sign_in_method", "factor", "reason"]
# A cell starting with one of these is a formula in Excel/LibreOffice (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _row(event: AuditEvent) -> list[str]:
    action = event.action_enum
    values = [event.seq, format_time(event.time), event.actor_id, event.actor_role,
              event.organisation_id, event.action, action.name.lower() if action else "",
              event.target_type, event.target_id, event.section, event.outcome,
              event.request_id, event.ip_address, event.user_agent,
              json.dumps(event.facts, sort_keys=True), event.hash,
              event.method_label, event.factor_label, event.reason_label]
    return [safe_cell(v) for v in values]


def csv_rows(events: Iterable[AuditEvent], language: str | None = None) -> Iterator[str]:
    """The CSV text, one line at a time (streamed; constant memory). The method, factor and
    reason columns are in words, in `language` (the rows are written after the view returned,
    when the request's language may no longer be active)."""
    writer = csv.writer(_Echo())
    language = language or translation.get_language()
    yield writer.writerow(COLUMNS)
    for event in events:
        # Not held across a yield: the language would leak into whatever runs in between.
        with translation.override(language):
            line = writer.writerow(_row(event))
        yield line
