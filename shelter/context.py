"""The current request's id, address and agent, available anywhere without passing the request.

Audit records and log lines read these, so a call to `audit.record(...)` stays one line.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    request_id: str
    ip_address: str | None
    user_agent: str


current_request: ContextVar[RequestInfo | None] = ContextVar("current_request", default=None)


def get_request_info() -> RequestInfo | None:
    return current_request.get()
