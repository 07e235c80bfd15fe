"""The kinds of mail: how each is rendered at send time, and until when it is worth sending.

An app declares its kinds in its `mails.py` with `register(MailKind(...))`. A kind's `context`
builds the template context from the recipient and the queued params (ids and counts); it is
called when the mail is sent, so a link token made there never touches the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils.functional import Promise

Context = Callable[[Any, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class MailKind:
    name: str
    subject: str | Promise          # translated at send time, in each of the mail's languages
    template: str                   # a plain-text template, rendered once per language
    context: Context
    # The languages the mail is written in, in order (default: the recipient's one language).
    languages: Callable[[Any, dict[str, Any]], tuple[str, ...]] | None = None
    # How long after queueing the mail is still worth sending (None: always); read at send
    # time so a setting such as SHELTER_PASSWORD_RESET_MINUTES applies as it is then.
    max_age: Callable[[], timedelta | None] = lambda: None
    # Security mails (invitations, resets): their delivery, drop or failure is in the access log.
    audited: bool = False
    # A subject made from the context, in each language (a notification's summary); default
    # the fixed `subject`.
    subject_of: Callable[[dict[str, Any]], str] | None = None
    # Attempted right after the commit (after the answer, in a request)? False: only the job
    # sends it, so no request's timing depends on whether this mail was queued (the reset).
    attempt_after_commit: bool = True


_KINDS: dict[str, MailKind] = {}


def register(kind: MailKind) -> MailKind:
    if kind.name in _KINDS and _KINDS[kind.name] != kind:
        raise ValueError(f"mail kind {kind.name!r} is registered twice")
    _KINDS[kind.name] = kind
    return kind


def get(name: str) -> MailKind | None:
    return _KINDS.get(name)


def names() -> list[str]:
    return sorted(_KINDS)
