"""What happens when a stored value or document fails its integrity check.

A field that does not authenticate (a flipped byte, a ciphertext swapped between rows or
columns, a value of another owner) is not a server error: its descriptor hands out `Withheld`,
a string that reads "integrity error, value withheld", and the page renders. A document that
fails answers a calm 409 page (410 when its file is missing); see `open_document`.

Each failure is reported once per value per request, as an `INTEGRITY_FAILURE` access-log
entry with ids and codes only: the row or document as target, and facts ``kind`` ("field" or
"document"), ``reason`` (see `DecryptionFailed`) and, for fields, ``column``.

The entry must survive the request failing. It is therefore never written inside a caller's
transaction: outside a transaction it is written at once (in its own); inside one it waits in
the request's scope and `KeyCacheMiddleware` writes it when the view is done, after that
transaction committed or rolled back. (Outside a request, e.g. in a management command, there
is no scope: the entry is written at once, inside the caller's transaction if there is one.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from shelter.crypto import events

logger = logging.getLogger("shelter.crypto")


class Withheld(str):
    """Stands in for a value that failed its integrity check; reads as the message.

    A string, so that every page, filter, export and JSON encoder that handles text handles it
    (never a 500). Dict-style and item lookups return it again, so a withheld JSON value reads
    as withheld (``case.travel.details``), and iterating yields it once. It is never encrypted:
    assigning it to an encrypted field keeps the stored ciphertext, untouched, as evidence.
    """

    reason: str
    is_withheld = True  # for templates: `|date` cannot format it, so test this first

    def __new__(cls, reason: str = "tag") -> Withheld:
        value = super().__new__(cls, gettext("integrity error, value withheld"))
        value.reason = reason
        return value

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return Withheld, (self.reason,)

    def __format__(self, spec: str) -> str:  # `|date`, f-strings with a format spec
        return str(self)

    def __getitem__(self, key: Any) -> Any:
        return self if isinstance(key, str) else super().__getitem__(key)

    def __iter__(self) -> Iterator[str]:
        yield self

    def get(self, key: Any, default: Any = None) -> Withheld:
        return self

    def __html__(self) -> SafeString:
        return mark_safe(f'<span class="withheld">{escape(str(self))}</span>')  # noqa: S308


def is_withheld(value: Any) -> bool:
    return isinstance(value, Withheld)


@dataclass
class _Scope:
    actor: Callable[[], Any]
    seen: set[tuple[str, str, str, str]] = field(default_factory=set)
    pending: list[tuple[Any, Any, dict[str, Any]]] = field(default_factory=list)


_scope: ContextVar[_Scope | None] = ContextVar("shelter_integrity_scope", default=None)


def _key(target: Any, facts: dict[str, Any]) -> tuple[str, str, str, str]:
    return (target._meta.label_lower, str(target.pk), facts["kind"], facts.get("column", ""))


def _write(actor: Any, target: Any, facts: dict[str, Any]) -> None:
    try:
        events.record(actor, "INTEGRITY_FAILURE", target, "rejected", **facts)
    except Exception:  # the page is answered anyway; the failure must not become a 500
        logger.exception("crypto: the integrity failure of %s %s could not be recorded",
                         target._meta.label_lower, target.pk)


def report_failure(target: Any, *, kind: str, reason: str, column: str = "",
                   actor: Any = None) -> None:
    """Record that `target`'s value (`column`) or document failed its integrity check."""
    facts: dict[str, Any] = {"kind": kind, "reason": reason}
    if column:
        facts["column"] = column
    logger.error("crypto: integrity failure (%s, %s) of %s %s %s", kind, reason,
                 target._meta.label_lower, target.pk, column)
    scope = _scope.get()
    if scope is None:
        _write(actor, target, facts)
        return
    key = _key(target, facts)
    if key in scope.seen:
        return
    scope.seen.add(key)
    if connection.in_atomic_block:
        scope.pending.append((actor, target, facts))  # written after that transaction ended
    else:
        _write(actor if actor is not None else scope.actor(), target, facts)


@contextmanager
def integrity_scope(actor: Callable[[], Any] = lambda: None) -> Iterator[None]:
    """One request: failures are reported once each; those met inside a transaction are
    written when the scope ends, in their own transactions. `actor()` names the user."""
    scope = _Scope(actor)
    token = _scope.set(scope)
    try:
        yield
    finally:
        _scope.reset(token)
        for actor_, target, facts in scope.pending:
            _write(actor_ if actor_ is not None else scope.actor(), target, facts)
