"""Shares of a case with a partner user or a partner organisation, and break-glass openings.

django-guardian is the one store of per-object permissions: a grant is a guardian row
(`cases.view_case`, `cases.contribute_case`) in the direct foreign-key tables below, given to
the partner user or to their organisation's group. `CaseShare` holds only the terms of a grant
(sections, mode, expiry, consent, reason). Both must hold at query time (see
`cases.sharing.grants`): a share past `expires_at` or revoked grants nothing on the next request
even if `expire_shares` never ran; the command only tidies the guardian rows away.

The tables were created by the cases app and keep their names (`db_table`), so moving the
models into this app moved no data.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from shelter.crypto.fields import EncryptedModel, EncryptedTextField


class CaseUserObjectPermission(UserObjectPermissionBase):
    """guardian's direct FK table for permissions of one user on one case (fast joins)."""

    content_object = models.ForeignKey("cases.Case", on_delete=models.CASCADE,
                                       related_name="user_object_permissions")

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False
        db_table = "cases_caseuserobjectpermission"


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """guardian's direct FK table for permissions of a group (one per partner organisation)."""

    content_object = models.ForeignKey("cases.Case", on_delete=models.CASCADE,
                                       related_name="group_object_permissions")

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False
        db_table = "cases_casegroupobjectpermission"


class ShareQuerySet(models.QuerySet):
    def active(self, now=None) -> ShareQuerySet:
        """Shares that grant something right now: not revoked and not yet expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class CaseShare(EncryptedModel):
    """Sections of one case shared with one partner user or one partner organisation."""

    encryption_key_owner = "case_id"

    class Mode(models.TextChoices):
        READ = "read", _("Read only")
        CONTRIBUTE = "contribute", _("May contribute")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="shares",
                             verbose_name=_("case"))
    grantee_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="case_shares",
                                     verbose_name=_("shared with (person)"))
    grantee_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True,
        related_name="case_shares", verbose_name=_("shared with (organisation)"))
    sections = models.JSONField(_("sections"), default=list)
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices, default=Mode.READ)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    reason = EncryptedTextField(_("reason"))
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    override_reason = EncryptedTextField(_("coordinator override reason"))
    is_override = models.BooleanField(_("coordinator override"), default=False)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+", verbose_name=_("granted by"))
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("revoked by"))
    revoke_reason = EncryptedTextField(_("reason for revoking"))
    expired_at = models.DateTimeField(_("expiry processed at"), null=True, blank=True)

    objects = ShareQuerySet.as_manager()

    class Meta:
        db_table = "cases_caseshare"
        verbose_name = _("case share")
        verbose_name_plural = _("case shares")
        ordering = ["expires_at"]
        indexes = [
            models.Index(fields=["grantee_user", "expires_at"], name="share_user_expiry"),
            models.Index(fields=["grantee_organisation", "expires_at"], name="share_org_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(grantee_user__isnull=False, grantee_organisation__isnull=True)
                           | Q(grantee_user__isnull=True, grantee_organisation__isnull=False)),
                name="share_one_grantee"),
        ]

    def __str__(self) -> str:
        return str(self.pk)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class BreakGlass(EncryptedModel):
    """A coordinator opened a case's restricted notes with a reason, for a limited time."""

    encryption_key_owner = "case_id"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="break_glass",
                             verbose_name=_("case"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("opened by"))
    reason = EncryptedTextField(_("reason"))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        db_table = "cases_breakglass"
        verbose_name = _("break-glass opening")
        verbose_name_plural = _("break-glass openings")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return str(self.pk)


class OrganisationGroup(models.Model):
    """The guardian group of one partner organisation, created on demand by the first share
    with it and kept equal to the organisation's members (see `cases.sharing.groups`)."""

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE,
                                        related_name="share_group")
    group = models.OneToOneField("auth.Group", on_delete=models.CASCADE,
                                 related_name="organisation_link")

    class Meta:
        db_table = "cases_organisationgroup"

    def __str__(self) -> str:
        return str(self.group_id)
