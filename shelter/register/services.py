"""The one write of the register: a new version of an activity, with its access log entry."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from shelter import audit
from shelter.audit import Action
from shelter.audit.log import forget_register_versions
from shelter.register.models import ActivityVersion


class RegisterChanged(Exception):
    """Someone else saved a version of this activity meanwhile: the form was based on an
    older one."""


@transaction.atomic
def version_create(*, code: str, acting_user: Any, based_on: int, change_note: str,
                   **texts: str) -> ActivityVersion:
    """Write version `based_on + 1` of activity `code`; refuse (RegisterChanged) if a newer
    version than `based_on` exists. Earlier versions are never changed (the table refuses)."""
    newest = (ActivityVersion.objects.select_for_update().filter(code=code)
              .aggregate(newest=Max("version"))["newest"] or 0)
    if newest != based_on:
        raise RegisterChanged(code)
    try:
        with transaction.atomic():
            created = ActivityVersion.objects.create(
                code=code, version=newest + 1, changed_at=timezone.now(),
                changed_by_id=getattr(acting_user, "pk", None), change_note=change_note,
                **{name: texts[name] for name in ActivityVersion.TEXT_FIELDS})
    except IntegrityError as exc:  # a concurrent save took the number (SQLite: no row lock)
        raise RegisterChanged(code) from exc
    audit.record(acting_user, Action.REGISTER_CHANGE, ("register.activityversion", created.pk),
                 section="register", activity_code=code, register_version=created.version)
    transaction.on_commit(forget_register_versions)
    forget_register_versions()
    return created
