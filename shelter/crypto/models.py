"""Data keys: random 256-bit keys, stored only wrapped under a master key."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class KeyPurpose(models.TextChoices):
    CASE = "case", _("Case")
    DEFENDER = "defender", _("Defender")
    PROGRAMME = "programme", _("Programme")


class DataKey(models.Model):
    """One data key per owner (a case, a defender) plus one programme key.

    No foreign key to the owner on purpose: crypto sits below the domain apps, and the row must
    outlive shredding as evidence that the key was destroyed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(_("purpose"), max_length=16, choices=KeyPurpose.choices)
    owner_id = models.UUIDField(_("owner id"), null=True, blank=True)
    master_key_id = models.CharField(_("master key id"), max_length=64, db_index=True)
    wrapped_key = models.BinaryField(_("wrapped key"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    rotated_at = models.DateTimeField(_("rotated at"), null=True, blank=True)
    shredded_at = models.DateTimeField(_("shredded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")
        constraints = [
            models.UniqueConstraint(fields=["purpose", "owner_id"], name="crypto_datakey_owner"),
            models.UniqueConstraint(
                fields=["purpose"], condition=Q(owner_id__isnull=True),
                name="crypto_datakey_single_unowned",
            ),
            models.CheckConstraint(
                condition=Q(purpose="programme", owner_id__isnull=True)
                | (~Q(purpose="programme") & Q(owner_id__isnull=False)),
                name="crypto_datakey_owner_matches_purpose",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose}:{self.owner_id or '-'}"


def wrap_aad(purpose: str, owner_id: uuid.UUID | None, datakey_id: uuid.UUID) -> bytes:
    """The associated data a DataKey's wrapped key is sealed with: its purpose, owner and row,
    so rows cannot swap wrapped keys."""
    return f"shelter/datakey/v1|{purpose}|{owner_id or '-'}|{datakey_id}".encode("ascii")


class KeyCheckKind(models.TextChoices):
    MASTER = "master", _("Master key")
    AUDIT = "audit", _("Audit key")
    BLIND_INDEX = "blind_index", _("Blind-index key")


class KeyCheck(models.Model):
    """Proof that a key in the key file is the key this database was written with.

    `check_value` is a MAC of a fixed label under the key (for a master key: AES-GCM with an
    empty plaintext, i.e. GMAC, through the key provider), never the key itself. Checked at
    start and before the first audit write; a mismatch stops the process from writing.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=KeyCheckKind.choices)
    key_id = models.CharField(_("key id"), max_length=64)
    check_value = models.BinaryField(_("check value"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("key check")
        verbose_name_plural = _("key checks")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key_id"], name="crypto_keycheck_key"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key_id}"


class Installation(models.Model):
    """This installation's random id (one row), also written into its document storage so
    that a maintenance command never treats another installation's files as its own."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    installation_id = models.UUIDField(_("installation id"), default=uuid.uuid4, unique=True,
                                       editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("installation")
        verbose_name_plural = _("installations")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="crypto_installation_one")]

    def __str__(self) -> str:
        return str(self.installation_id)
