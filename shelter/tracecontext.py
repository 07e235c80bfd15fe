"""W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header.

`traceparent: 00-<trace-id: 32 hex>-<parent-id: 16 hex>-<flags: 2 hex>`. Shelter's request id is
the trace id; each request is a span with an id of its own, and every access log entry a span
under it. Parsed by hand: the format is four fixed-width hex fields, and the one library that
would do it (OpenTelemetry) brings a whole tracing pipeline Shelter does not run.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

_HEX = re.compile(r"^[0-9a-f]+$")
INVALID_TRACE_ID = "0" * 32
INVALID_SPAN_ID = "0" * 16


@dataclass(frozen=True)
class TraceParent:
    trace_id: str
    parent_id: str
    flags: str = "00"


def new_trace_id() -> str:
    return secrets.token_hex(16)


def new_span_id() -> str:
    return secrets.token_hex(8)


def _hex(value: str, length: int) -> bool:
    return len(value) == length and bool(_HEX.match(value))


def parse_traceparent(header: str | None) -> TraceParent | None:
    """The header's fields, or None for anything the specification says to ignore: an unknown
    shape, upper-case hex, the version ff, an all-zero trace or parent id, or for version 00
    anything after the flags. A later version is read by its first four fields."""
    if not header or len(header) > 512:
        return None
    value = header.strip()
    parts = value.split("-")
    if len(parts) < 4:
        return None
    version, trace_id, parent_id, flags = parts[:4]
    if not (_hex(version, 2) and _hex(trace_id, 32) and _hex(parent_id, 16) and _hex(flags, 2)):
        return None
    if version == "ff" or (version == "00" and len(parts) != 4):
        return None
    if trace_id == INVALID_TRACE_ID or parent_id == INVALID_SPAN_ID:
        return None
    return TraceParent(trace_id, parent_id, flags)


def format_traceparent(trace_id: str, span_id: str, flags: str = "00") -> str:
    return f"00-{trace_id}-{span_id}-{flags}"
