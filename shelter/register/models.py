"""The register's one table: versions of processing activities, append-only.

An activity is its `code` (intake, residency, ...); its entry is the newest version of that
code. Like the access log the table is `managed = False` and refuses UPDATE and DELETE in the
database itself (migration 0001), so no change of the register can hide an earlier wording.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityVersion(models.Model):
    code = models.CharField(_("activity"), max_length=32)
    version = models.PositiveSmallIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"))
    legal_basis = models.TextField(_("legal basis"))
    data_categories = models.TextField(_("categories of personal data"))
    subject_categories = models.TextField(_("categories of data subjects"))
    recipients = models.TextField(_("recipients"))
    transfers = models.TextField(_("transfers outside the EEA"), blank=True)
    retention = models.TextField(_("retention period"))
    security_measures = models.TextField(_("security measures"))
    changed_at = models.DateTimeField(_("changed at"))
    # A plain id, as in the access log: removing a user never touches the register.
    changed_by_id = models.BigIntegerField(_("changed by"), null=True)
    change_note = models.CharField(_("reason for the change"), max_length=300, blank=True)

    class Meta:
        managed = False
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"],
                                               name="register_version_unique")]
        verbose_name = _("processing activity version")
        verbose_name_plural = _("processing activity versions")

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    TEXT_FIELDS = ("name", "purpose", "legal_basis", "data_categories", "subject_categories",
                   "recipients", "transfers", "retention", "security_measures")
