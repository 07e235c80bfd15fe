"""Reads of the register. The register holds no personal data; these take the user anyway, as
every selector does, and never write."""

from __future__ import annotations

from typing import Any

from django.db.models import Max

from shelter.audit.activities import CODES
from shelter.register.models import ActivityVersion


def current_versions(user: Any) -> list[ActivityVersion]:
    """The version in force of each activity, in the register's order."""
    newest = dict(ActivityVersion.objects.values_list("code").annotate(newest=Max("version")))
    rows = {(v.code, v.version): v for v in ActivityVersion.objects.filter(
        code__in=list(newest), version__in=set(newest.values()))}
    return [rows[code, newest[code]] for code in CODES if (code, newest.get(code)) in rows]


def history(user: Any, code: str) -> list[ActivityVersion]:
    """Every version of activity `code`, newest first ([] for an unknown code)."""
    return list(ActivityVersion.objects.filter(code=code).order_by("-version"))


def version(user: Any, code: str, number: int) -> ActivityVersion | None:
    return ActivityVersion.objects.filter(code=code, version=number).first()
