"""Structured logs: one JSON object per line on stdout (python-json-logger), for the journal or
a log collector.

Each line has `time` (ISO 8601, UTC), `level`, `logger`, `message` and, inside a request,
`request_id` (the `X-Request-ID` of the answer and the access log's last field). The request
line (`shelter.request`, one per answered request) adds `method`, `route` (the URL name,
e.g. `cases:profile`, never the path with its ids), `status` and `duration_ms`.

What never reaches a line: a name, an e-mail address, a URL's query string, a request body. The
code logs ids, codes and counts only (a test scans the logs of a whole journey for the demo's
personal data). One more guard here, because it is the one place a value can slip in without
anyone writing it: an exception's *message* is left out of the traceback (a database error
quotes the row it refused, e.g. "Key (email)=(...) already exists"); its type and the stack
stay.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from shelter.context import get_request_info


class RequestIdFilter(logging.Filter):
    """Adds the current request's id (or none) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        info = get_request_info()
        record.request_id = info.request_id if info is not None else None
        return True


class RequestDetailsFilter(logging.Filter):
    """Django's own request and security lines (a 500, a CSRF refusal, a bad Host) carry the
    request: python-json-logger would write it out whole (`<WSGIRequest: GET '/…?q=…'>`), and
    their message names the path with its ids. Here the request is dropped and the path in the
    message becomes the route name."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = record.__dict__.pop("request", None)
        if request is not None and isinstance(record.args, tuple) and record.args:
            path = getattr(request, "path", None)
            match = getattr(request, "resolver_match", None)
            route = (match.view_name if match is not None else None) or "-"
            record.args = tuple(route if arg == path else arg for arg in record.args)
        return True


def _without_messages(exc_info: Any) -> str:
    exc_type, exc, tb = exc_info
    lines = traceback.format_tb(tb)
    chain = (exc.__cause__ or exc.__context__) if exc is not None else None
    for _depth in range(10):  # name the causes, without their messages either
        if chain is None:
            break
        lines.append(f"(caused by {type(chain).__module__}.{type(chain).__qualname__})\n")
        chain = chain.__cause__ or chain.__context__
    name = f"{exc_type.__module__}.{exc_type.__qualname__}" if exc_type else "Exception"
    return "Traceback (most recent call last):\n" + "".join(lines) + name


class JsonFormatter(_JsonFormatter):
    """python-json-logger's formatter with Shelter's field names and message-free tracebacks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        super().__init__("{levelname}{name}{message}{request_id}", *args, style="{",
                         **kwargs)

    def formatException(self, ei: Any) -> str:  # noqa: N802  (logging's name)
        return _without_messages(ei)


class PlainFormatter(logging.Formatter):
    """Development's readable lines, with the same message-free tracebacks."""

    def formatException(self, ei: Any) -> str:  # noqa: N802  (logging's name)
        return _without_messages(ei)
