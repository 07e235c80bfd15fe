"""Queue mails inside a business transaction; send them after it commits, or later by the job.

The rule: a request never waits on the mail server. `queue_mail` writes the intention in the
caller's transaction (so a mail exists iff its business event and audit record commit); after
the commit the mail is *attempted* once with a short timeout (SHELTER_MAIL_ATTEMPT_TIMEOUT):

- inside a request, after the answer has gone out (`DeliverAfterResponseMiddleware`): the page
  never waits for the mail server (the invitation page says the mail is on its way);
- outside a request (a command, a job), at once;
- never, for a kind with `attempt_after_commit=False` (the password reset): only the job sends
  it, since even after the answer the connection's end would come an SMTP round trip later
  when a mail was queued, telling whether the address has an account.

Whatever fails is retried by the `send_queued_mail` job with exponential backoff (1, 2, 4 …
minutes, at most 6 hours) and given up after SHELTER_MAIL_MAX_ATTEMPTS with an ERROR logged.
An attempt claims its row with a lease (a conditional UPDATE of `next_attempt_at`, after
`SELECT … FOR UPDATE SKIP LOCKED` where the database has it) in a short transaction of its own,
talks to the mail server outside any transaction, and records the result in another: no lock
is held while the server is slow, two runners never send the same mail, and a runner that dies
mid-send leaves a lease that expires (the mail is then sent again: at least once, never lost).
"""

from __future__ import annotations

import logging
import re
import smtplib
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from shelter.context import outgoing_traceparent
from shelter.mail import registry
from shelter.mail.models import OutgoingMail
from shelter.mail.signals import mail_finished

logger = logging.getLogger("shelter.mail")
State = OutgoingMail.State
# Longer than any one attempt can take (SHELTER_EMAIL_TIMEOUT per step of the SMTP dialogue).
LEASE = timedelta(minutes=15)
MAX_DELAY = timedelta(hours=6)
KEEP_FINISHED = timedelta(days=30)
CODE = re.compile(r"[a-z0-9_-]{0,24}")
# Ids of mails committed during the current request, attempted after its answer.
_pending: ContextVar[list[int] | None] = ContextVar("shelter_mail_pending", default=None)


class Drop(Exception):
    """Raised by a kind's context function: this mail should not be sent (a short code)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def queue_mail(kind: str, user: Any, **params: Any) -> OutgoingMail:
    """Queue one mail of `kind` to `user`, in the caller's transaction. `params` are ids, counts
    and short codes only (never an address, a name or a token): the mail is rendered from them
    when it is sent."""
    if registry.get(kind) is None:
        raise ValueError(f"unknown mail kind {kind!r}")
    for name, value in params.items():
        if not _is_id_count_or_code(value):
            raise ValueError(f"mail param {name!r}: ids, counts and short codes only")
    mail = OutgoingMail.objects.create(kind=kind, recipient=user, params=params,
                                       traceparent=outgoing_traceparent() or "")
    if registry.get(kind).attempt_after_commit:
        transaction.on_commit(partial(_after_commit, mail.pk))
    return mail


def _is_id_count_or_code(value: Any) -> bool:
    """An int, a bool, or a short code such as "nl" or "tasks_due": nothing that could be an
    address, a name, a text or a token."""
    if isinstance(value, bool | int):
        return True
    return isinstance(value, str) and CODE.fullmatch(value) is not None


def _after_commit(pk: int) -> None:
    pending = _pending.get()
    if pending is not None:
        pending.append(pk)
    else:
        attempt(pk)


@contextmanager
def deferred_to_after_response() -> Iterator[list[int]]:
    """While a request runs: mails committed in it are collected here, not attempted."""
    pending: list[int] = []
    token = _pending.set(pending)
    try:
        yield pending
    finally:
        _pending.reset(token)


def attempt_pending() -> None:
    """Attempt now the mails this request has committed so far (the page needs the result)."""
    pending = _pending.get()
    while pending:
        attempt(pending.pop(0))


class ServerDown(Exception):
    """The mail server cannot be reached (raised only to a batch that passed its connection)."""


def server_down(error: BaseException) -> bool:
    """A connection-level error: nothing this mail did, the server is away. smtplib's errors
    are OSErrors too, but a refused recipient or sender is a mail's own failure."""
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def attempt(pk: int, *, timeout: float | None = None, mail_connection: Any = None) -> str:
    """Try to send one mail if it is due and nobody else is sending it. Returns what happened:
    "sent", "retry", "failed", "dropped" or "skipped" (not due, or claimed by another runner).
    With `mail_connection` (a batch's one connection), a connection-level error raises
    ServerDown and the attempt is not counted: the mail is due again at the next run."""
    timeout = settings.SHELTER_MAIL_ATTEMPT_TIMEOUT if timeout is None else timeout
    mail = _claim(pk)
    if mail is None:
        return "skipped"
    kind = registry.get(mail.kind)
    try:
        message = _render(mail, kind)
    except Drop as drop:
        return _finish(mail, State.DROPPED, drop.reason)
    except Exception as error:  # a kind that cannot be rendered from these params: retried
        return _failed(mail, type(error).__name__)
    if message is None:
        return "dropped"
    try:
        if mail_connection is None:
            with get_connection(timeout=timeout) as own_connection:
                _send(message, own_connection)
        else:
            mail_connection.open()  # once per batch: False when it is open already
            _send(message, mail_connection)
    except Exception as error:  # smtplib's and socket errors, and whatever a backend raises
        if mail_connection is not None and server_down(error):
            _release(mail)
            raise ServerDown(type(error).__name__) from None
        return _failed(mail, type(error).__name__)
    # Marked sent straight after the server accepted it; a crash in between means the mail is
    # sent again when its lease ends (at least once, never lost: docs/ARCHITECTURE.md).
    return _finish(mail, State.SENT, "")


def _send(message: EmailMessage, mail_connection: Any) -> None:
    message.connection = mail_connection
    if message.send() != 1:
        raise ConnectionError("not accepted")


def _release(mail: OutgoingMail) -> None:
    """Give the lease back uncounted: the server was down, the mail did nothing wrong."""
    OutgoingMail.objects.filter(pk=mail.pk, state=State.QUEUED).update(
        next_attempt_at=timezone.now(), attempts=F("attempts") - 1)


def _claim(pk: int) -> OutgoingMail | None:
    """Take the lease on one due mail in a short transaction of its own; None if not ours."""
    now = timezone.now()
    with transaction.atomic():
        due = OutgoingMail.objects.filter(pk=pk, state=State.QUEUED, next_attempt_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        mail = due.first()
        if mail is None:
            return None
        # Conditional on the value just read: of two runners (SQLite has no row locks) one wins.
        won = OutgoingMail.objects.filter(
            pk=pk, state=State.QUEUED, next_attempt_at=mail.next_attempt_at,
        ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    if not won:
        return None
    mail.attempts, mail.next_attempt_at = mail.attempts + 1, now + LEASE
    return mail


def _render(mail: OutgoingMail, kind: registry.MailKind | None) -> EmailMessage | None:
    """The message, made now from the kind, the recipient as they are now and the params; None
    (and the row dropped) when it should not go out any more."""
    user = mail.recipient
    max_age = kind.max_age() if kind is not None else None
    reason = ("unknown_kind" if kind is None else "inactive" if not user.is_active
              else "no_address" if not user.email
              else "expired" if max_age is not None and timezone.now() - mail.created_at > max_age
              else "")
    if reason:
        _finish(mail, State.DROPPED, reason)
        return None
    params = mail.params if isinstance(mail.params, dict) else {}
    # When the mail was asked for, for a kind whose link should live from then (not stored).
    params = {**params, "queued_at": mail.created_at}
    context = kind.context(user, params)  # once: one link token, whatever the languages
    languages = kind.languages(user, params) if kind.languages else (language_of(user, params),)
    subjects, bodies = [], []
    for language in languages:
        with translation.override(language):
            subjects.append(str(kind.subject_of(context) if kind.subject_of else kind.subject))
            bodies.append(render_to_string(kind.template, context))
    headers = {"traceparent": mail.traceparent} if mail.traceparent else None
    return EmailMessage(" / ".join(subjects), "\n\n-----\n\n".join(bodies),
                        settings.DEFAULT_FROM_EMAIL, [user.email], headers=headers)


def language_of(user: Any, params: dict[str, Any]) -> str:
    """The recipient's language: their preference, else the one they used when the mail was
    asked for (params["language"]), else the site's."""
    known = {code for code, _name in settings.LANGUAGES}
    for candidate in (getattr(user, "preferred_language", ""), params.get("language")):
        if candidate in known:
            return candidate
    return settings.LANGUAGE_CODE


def _failed(mail: OutgoingMail, error_type: str) -> str:
    if mail.attempts >= settings.SHELTER_MAIL_MAX_ATTEMPTS:
        logger.error("mail: %s #%s for user %s given up after %s attempts (%s)",
                     mail.kind, mail.pk, mail.recipient_id, mail.attempts, error_type)
        return _finish(mail, State.FAILED, "gave_up", error_type=error_type)
    delay = min(timedelta(minutes=2 ** (mail.attempts - 1)), MAX_DELAY)
    OutgoingMail.objects.filter(pk=mail.pk, state=State.QUEUED).update(
        next_attempt_at=timezone.now() + delay, last_error_type=error_type[:64])
    logger.warning("mail: %s #%s for user %s not sent, attempt %s (%s); retried in %s min",
                   mail.kind, mail.pk, mail.recipient_id, mail.attempts, error_type,
                   int(delay.total_seconds() // 60))
    return "retry"


def _finish(mail: OutgoingMail, state: str, reason: str, *, error_type: str = "") -> str:
    """Mark the mail sent, dropped or failed, with its audit record in the same transaction."""
    now = timezone.now()
    with transaction.atomic():
        OutgoingMail.objects.filter(pk=mail.pk).update(
            state=state, sent_at=now if state == State.SENT else None,
            last_error_type=(error_type or reason or mail.last_error_type)[:64])
        kind = registry.get(mail.kind)
        if kind is not None and kind.audited:
            mail_finished.send(sender=OutgoingMail, mail=mail, outcome=str(state), reason=reason)
    if state == State.DROPPED:
        logger.info("mail: %s #%s for user %s dropped (%s)", mail.kind, mail.pk,
                    mail.recipient_id, reason)
    return str(state)


def send_due(*, limit: int | None = None) -> dict[str, int]:
    """Send the mails that are due (at most `limit`), and delete finished mails older than 30
    days. Returns counts only. What the `send_queued_mail` job runs."""
    limit = settings.SHELTER_MAIL_PER_RUN if limit is None else limit
    due = (OutgoingMail.objects.filter(state=State.QUEUED, next_attempt_at__lte=timezone.now())
           .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    counts = Counter({"sent": 0, "retry": 0, "failed": 0, "dropped": 0, "skipped": 0,
                      "errors": 0, "server_down": 0})
    deadline = time.monotonic() + settings.SHELTER_MAIL_BATCH_SECONDS
    mail_connection = get_connection(timeout=settings.EMAIL_TIMEOUT)
    try:
        for pk in list(due):
            if time.monotonic() > deadline:
                break  # the rest wait for the next run
            try:
                counts[attempt(pk, mail_connection=mail_connection)] += 1
            except ServerDown as down:
                logger.warning("mail: server unreachable (%s); the rest wait for the next run",
                               down)
                counts["server_down"] = 1
                break
            except Exception as error:  # a database error on one mail must not stop the batch
                logger.error("mail: #%s attempt failed (%s)", pk, type(error).__name__)
                counts["errors"] += 1
    finally:
        _close_quietly(mail_connection)
    old = OutgoingMail.objects.exclude(state=State.QUEUED).filter(
        created_at__lt=timezone.now() - KEEP_FINISHED)
    counts["deleted"] = old.delete()[0]
    return dict(counts)


def _close_quietly(mail_connection: Any) -> None:
    try:
        mail_connection.close()
    except Exception as error:  # a server that went away mid-batch: nothing left to do
        logger.warning("mail: closing the connection failed (%s)", type(error).__name__)
