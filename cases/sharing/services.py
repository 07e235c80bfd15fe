"""Writes of sharing: grant, revoke, expire (guardian permissions kept in step) and break-glass.

Each service runs in one transaction with its audit record. They assume the caller checked
`cases.sharing.policies.can_share` / `can_break_glass` (the guards do). Reasons are stored
encrypted and never go into the audit facts; the facts hold ids, section codes and dates.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from cases import choices
from cases.models import Case
from cases.sharing import grants
from cases.sharing.groups import organisation_group
from cases.sharing.models import BreakGlass, CaseShare
from shelter import audit
from shelter.accounts.models import Organisation, User
from shelter.accounts.roles import Role
from shelter.audit import Action
from shelter.notifications.api import notify

SHORTHANDS = {
    "documents": [f"documents.{c}" for c in choices.DOCUMENT_CATEGORIES],
    "notes": [f"notes.{c}" for c in choices.NOTE_CATEGORIES
              if c not in choices.RESTRICTED_NOTE_CATEGORIES],
}


class ShareError(ValueError):
    """A share that cannot be granted as asked; the message is translated, for users."""


def max_share_days() -> int:
    return int(getattr(settings, "SHELTER_SHARE_MAX_DAYS", 180))


def normalise_sections(sections: list[str]) -> list[str]:
    """Expand "documents"/"notes" (never restricted notes), add "basic", refuse unknown codes."""
    expanded = {"basic"}
    for section in sections:
        expanded.update(SHORTHANDS.get(section, [section]))
    unknown = expanded - set(choices.SHARE_SECTIONS)
    if unknown:
        raise ShareError(_("Unknown sections: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    return [s for s in choices.SHARE_SECTIONS if s in expanded]


def _end_of(day: datetime.date) -> datetime.datetime:
    """A share "until 3 May" holds through 3 May, local time."""
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(midnight)


def _check_grant(grantee_user: User | None, grantee_organisation: Organisation | None,
                 expires_on: datetime.date, reason: str, consent_on: datetime.date | None,
                 override_reason: str | None, acting_user: User) -> None:
    if (grantee_user is None) == (grantee_organisation is None):
        raise ShareError(_("Share with one person or one organisation."))
    if grantee_user is not None and not grantee_user.is_partner:
        raise ShareError(_("Cases can be shared only with active partner accounts."))
    if grantee_organisation is not None and (grantee_organisation.is_municipality
                                             or not grantee_organisation.is_active):
        raise ShareError(_("Cases can be shared only with active partner organisations."))
    today = timezone.localdate()
    if not today <= expires_on <= today + datetime.timedelta(days=max_share_days()):
        raise ShareError(_("A share must end within %(days)d days.") % {"days": max_share_days()})
    if not (reason or "").strip():
        raise ShareError(_("Give the reason for sharing."))
    if consent_on is None and not (override_reason or "").strip():
        raise ShareError(_("Record the defender's consent, or a coordinator override."))
    if consent_on is None and not acting_user.is_coordinator:
        raise ShareError(_("Only a coordinator can share without the defender's consent."))


def _grantee(share: CaseShare) -> object:
    if share.grantee_user_id:
        return share.grantee_user
    return organisation_group(share.grantee_organisation)


def sync_permissions(share: CaseShare) -> None:
    """Make the grantee's guardian rows on the case match its shares that are valid now:
    `assign_perm` / `remove_perm` to the partner user or to the organisation's group."""
    same = CaseShare.objects.active().filter(
        case_id=share.case_id, grantee_user_id=share.grantee_user_id,
        grantee_organisation_id=share.grantee_organisation_id)
    grantee, case = _grantee(share), share.case
    for codename, needed in (("view_case", same.exists()),
                             ("contribute_case", same.filter(mode="contribute").exists())):
        (assign_perm if needed else remove_perm)(f"cases.{codename}", grantee, case)


@transaction.atomic
def share_grant(*, case: Case, grantee_user: User | None = None,
                grantee_organisation: Organisation | None = None, sections: list[str], mode: str,
                expires_on: datetime.date, reason: str, consent_on: datetime.date | None = None,
                override_reason: str | None = None, acting_user: User) -> CaseShare:
    """Share `sections` of `case` until the end of `expires_on` (≤ SHELTER_SHARE_MAX_DAYS).

    Needs the defender's consent date, or a coordinator's override with its reason (recorded).
    The caller checked `cases.sharing.policies.can_share(acting_user, case)`.
    """
    _check_grant(grantee_user, grantee_organisation, expires_on, reason, consent_on,
                 override_reason, acting_user)
    share = CaseShare(case=case, grantee_user=grantee_user,
                      grantee_organisation=grantee_organisation,
                      sections=normalise_sections(sections), mode=CaseShare.Mode(mode),
                      expires_at=_end_of(expires_on), reason=reason, consent_on=consent_on,
                      override_reason=override_reason or "",
                      is_override=consent_on is None, granted_by=acting_user)
    share.save()
    sync_permissions(share)
    audit.record(acting_user, Action.SHARE_GRANT, share, case_id=case.pk,
                 sections=share.sections, mode=share.mode, expires_on=expires_on.isoformat(),
                 grantee_user_id=grantee_user.pk if grantee_user else None,
                 grantee_organisation_id=grantee_organisation.pk if grantee_organisation
                 else None, override=share.is_override)
    grants.forget(acting_user)
    return share


@transaction.atomic
def share_revoke(*, share: CaseShare, acting_user: User, reason: str) -> CaseShare:
    """End `share` now: the grantee's next request no longer sees what it opened."""
    if share.revoked_at is not None:
        return share
    share.revoked_at, share.revoked_by, share.revoke_reason = timezone.now(), acting_user, reason
    share.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    sync_permissions(share)
    audit.record(acting_user, Action.SHARE_REVOKE, share, case_id=share.case_id)
    return share


def shares_expire(now: datetime.datetime | None = None) -> list[CaseShare]:
    """Remove the guardian rows of shares that ran out (each recorded as SHARE_EXPIRE).

    Expired shares already grant nothing; this is housekeeping, safe to run at any time.
    """
    now = now or timezone.now()
    done = []
    for share in (CaseShare.objects.filter(revoked_at__isnull=True, expired_at__isnull=True,
                                           expires_at__lte=now)
                  .select_related("case", "grantee_user", "grantee_organisation")):
        with transaction.atomic():
            share.expired_at = now
            share.save(update_fields=["expired_at"])
            sync_permissions(share)
            audit.record(None, Action.SHARE_EXPIRE, share, case_id=share.case_id)
        done.append(share)
    return done


def break_glass_minutes() -> int:
    return int(getattr(settings, "SHELTER_BREAK_GLASS_MINUTES", 60))


@transaction.atomic
def break_glass_open(*, case: Case, acting_user: User, reason: str) -> BreakGlass:
    """Open `case`'s medical and security notes to coordinator `acting_user` for
    SHELTER_BREAK_GLASS_MINUTES, recorded loudly; the caller checked `can_break_glass`."""
    if not (reason or "").strip():
        raise ShareError(_("Give the reason for breaking the glass."))
    now = timezone.now()
    opening = BreakGlass(case=case, user=acting_user, reason=reason, opened_at=now,
                         expires_at=now + datetime.timedelta(minutes=break_glass_minutes()))
    opening.save()
    audit.record(acting_user, Action.BREAK_GLASS, case, section="notes", break_glass=True,
                 opening_id=opening.pk, minutes=break_glass_minutes(),
                 categories=sorted(choices.RESTRICTED_NOTE_CATEGORIES))
    # Loud: every coordinator (the one who opened it too: a stolen account's owner learns of
    # it) and every auditor hears at once, in the same transaction as the opening.
    for person in User.objects.filter(is_active=True, groups__name__in=[
            Role.COORDINATOR, Role.AUDITOR]).distinct().order_by("pk"):
        notify("break_glass_used", person, dedupe=f"break_glass:{opening.pk}")
    grants.forget(acting_user)
    return opening
