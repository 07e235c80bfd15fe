"""The append-only access log (`AuditEvent`) and the record of chain verifications.

`AuditEvent` is `managed = False` on purpose: its table is created by migration 0001 and guarded
by database triggers (0002) that refuse UPDATE, DELETE and TRUNCATE. Django therefore never
flushes it (test teardown, `manage.py flush`): the log outlives everything it describes.
A later schema change to it needs a hand-written migration (see 0003: columns added with a
constant default, which neither rewrites the table nor fires the UPDATE triggers).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shelter.audit import labels
from shelter.audit.actions import (
    LEGACY_REJECTION_ACTIONS,
    LEGACY_REJECTION_REASON,
    Action,
    Outcome,
)


class AuditEvent(models.Model):
    """One entry: who did what to which object, when, from where, allowed or refused.

    Ids and short categories only, never a defender's personal data. `actor_id` is a plain
    integer, not a foreign key, so deleting a user can never cascade into the log.
    """

    seq = models.BigIntegerField(_("sequence number"), primary_key=True)
    time = models.DateTimeField(_("time"))
    actor_id = models.BigIntegerField(_("actor"), null=True)
    actor_role = models.CharField(_("role"), max_length=32, blank=True)
    organisation_id = models.BigIntegerField(_("organisation"), null=True)
    action = models.PositiveSmallIntegerField(_("action"))
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    section = models.CharField(_("section"), max_length=32, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    request_id = models.CharField(_("request id"), max_length=32, blank=True)
    # Text, not an inet column: the stored value must come back byte-for-byte as it was hashed.
    ip_address = models.CharField(_("IP address"), max_length=45, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    facts = models.JSONField(_("facts"), default=dict)
    # The case the entry is about (its UUID as text), "" when none; a per-defender pseudonym
    # (never the defender's id); the entry format (1: before case attribution, 2: with it).
    case_id = models.CharField(_("case"), max_length=36, blank=True, default="")
    subject_id = models.CharField(_("subject"), max_length=64, blank=True, default="")
    version = models.PositiveSmallIntegerField(_("format version"), default=1)
    # Version 3: the processing activity of the register (its code and the version in force)
    # and the entry's span in the request's W3C trace (the trace id is `request_id`).
    activity = models.CharField(_("processing activity"), max_length=32, blank=True, default="")
    activity_version = models.PositiveSmallIntegerField(_("register version"), default=0)
    span_id = models.CharField(_("span"), max_length=16, blank=True, default="")
    parent_span_id = models.CharField(_("parent span"), max_length=16, blank=True, default="")
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        managed = False
        ordering = ["-seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["time"], name="audit_event_time"),
            models.Index(fields=["actor_id", "time"], name="audit_event_actor"),
            models.Index(fields=["target_type", "target_id"], name="audit_event_target"),
            models.Index(fields=["action", "time"], name="audit_event_action"),
            models.Index(fields=["outcome", "time"], name="audit_event_outcome"),
            models.Index(fields=["case_id", "time"], name="audit_event_case"),
            models.Index(fields=["subject_id", "time"], name="audit_event_subject"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action_enum.name}"

    @property
    def action_enum(self) -> Action | None:
        try:
            return Action(self.action)
        except ValueError:
            return None

    @property
    def action_label(self) -> str:
        action = self.action_enum
        return str(action.label) if action else str(self.action)

    @property
    def is_rejection(self) -> bool:
        """A business rule said no (old entries stored a booking clash as refused)."""
        if self.outcome == Outcome.REJECTED:
            return True
        return (self.outcome == Outcome.REFUSED and self.action in LEGACY_REJECTION_ACTIONS
                and isinstance(self.facts, dict)
                and self.facts.get("reason") == LEGACY_REJECTION_REASON)

    @property
    def is_refusal(self) -> bool:
        """An authorization refusal: someone was denied access."""
        return self.outcome == Outcome.REFUSED and not self.is_rejection

    @property
    def is_break_glass(self) -> bool:
        return self.action == Action.BREAK_GLASS

    # In words, translated (see shelter.audit.labels).
    @property
    def role_label(self) -> str:
        return labels.role_label(self.actor_role)

    @property
    def section_label(self) -> str:
        return labels.section_label(self.section)

    @property
    def object_label(self) -> str:
        return labels.target_noun(self.target_type)

    def _fact(self, key: str) -> str:
        value = self.facts.get(key) if isinstance(self.facts, dict) else None
        return value if isinstance(value, str) else ""

    @property
    def shows_sign_in_details(self) -> bool:
        """Sign-in and account entries, and refusals: their method and reason are codes about
        signing in or being refused, never case content."""
        return self.action // 100 == 1 or self.action == Action.REFUSED

    @property
    def method_label(self) -> str:
        """The sign-in method of this entry in words ("" when it names none)."""
        method = self._fact("method") if self.shows_sign_in_details else ""
        return labels.method_label(method) if method else ""

    @property
    def factor_label(self) -> str:
        factor = self._fact("factor") if self.shows_sign_in_details else ""
        return labels.factor_label(factor) if factor else ""

    @property
    def reason_label(self) -> str:
        """Why it was refused, in words ("" when it says nothing)."""
        reason = self._fact("reason") if self.shows_sign_in_details else ""
        return labels.reason_label(reason) if reason else ""


class ChainVerification(models.Model):
    """The result of one run of `verify_audit_log`, shown on the auditors' pages.

    Not part of the log itself (it may be pruned); each run is also recorded in the log.
    """

    time = models.DateTimeField(_("time"), db_index=True)
    ok = models.BooleanField(_("chain intact"))
    entries = models.BigIntegerField(_("entries checked"), default=0)
    last_seq = models.BigIntegerField(_("last sequence number"), null=True)
    broken_seq = models.BigIntegerField(_("first broken entry"), null=True)
    reason = models.CharField(_("reason"), max_length=64, blank=True)
    checkpoint_seq = models.BigIntegerField(_("checkpoint"), null=True)
    actor_id = models.BigIntegerField(_("run by"), null=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["-time"]
        verbose_name = _("chain verification")
        verbose_name_plural = _("chain verifications")
        get_latest_by = "time"

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {'ok' if self.ok else 'BROKEN'}"
