"""The current request's id, address and agent, available anywhere without passing the request.

Audit records and log lines read these, so a call to `audit.record(...)` stays one line.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    # The W3C trace id (32 hex); the request's own span (16 hex), parent of the access log's
    # entries and of outgoing calls; the caller's span when a trusted `traceparent` named one.
    request_id: str
    ip_address: str | None
    user_agent: str
    span_id: str = ""
    parent_span_id: str = ""
    trace_flags: str = "00"


current_request: ContextVar[RequestInfo | None] = ContextVar("current_request", default=None)


def get_request_info() -> RequestInfo | None:
    return current_request.get()


def outgoing_traceparent() -> str | None:
    """The `traceparent` header for a call made while handling the current request (mail,
    document storage): its trace, with the request's span as the parent; None outside one."""
    info = current_request.get()
    if info is None or len(info.request_id) != 32 or len(info.span_id) != 16:
        return None
    return f"00-{info.request_id}-{info.span_id}-{info.trace_flags}"
