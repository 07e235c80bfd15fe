"""One row per mail to send: the intention, never the message.

No subject, body, address or token is stored. The mail is rendered when it is sent, from its
kind, the recipient's current address and language, and `params` (ids and counts only); a link
token is made at that moment. A stolen database or backup therefore holds no working link.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutgoingMail(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        # Not sent on purpose: the recipient is inactive, or the mail is too old to be useful
        # (a reset link past its lifetime).
        DROPPED = "dropped", _("dropped")
        # SHELTER_MAIL_MAX_ATTEMPTS failed: an ERROR was logged.
        FAILED = "failed", _("failed")

    kind = models.CharField(max_length=40)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="+")
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next attempt may start; also the lease of an attempt under way (see outbox.claim).
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The exception's class name or a short code, never its message (SMTP errors quote addresses).
    last_error_type = models.CharField(max_length=64, blank=True)
    # The W3C trace the mail was asked for in (shelter.context.outgoing_traceparent): sent as the
    # message's `traceparent` header, so the mail server's log joins the access log's trace.
    traceparent = models.CharField(max_length=55, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="mail_due")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"
