"""The four roles, as groups (created by the data migration accounts.0002).

What a role may do is decided by each app's `policies.py` from the user's role, and, for
partners' access to cases, by the guardian object permissions of their shares; no model
permission is attached to a role group.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "Coordinator", _("Coordinator")
    CASE_OFFICER = "Case officer", _("Case officer")
    PARTNER = "Partner", _("Partner")
    AUDITOR = "Auditor", _("Auditor")




def role_key(role: str) -> str:
    """The role's key in settings: "case_officer" for "Case officer"."""
    return role.lower().replace(" ", "_")


def roles_from_keys(keys: list[str], setting: str) -> frozenset[str]:
    """Role values from a settings list of keys ("coordinator,auditor"); an unknown key is a
    configuration error that names it (a typo must not switch a policy off)."""
    by_key = {role_key(role.value): role.value for role in Role}
    unknown = [key for key in keys if key.strip().lower() not in by_key]
    if unknown:
        raise ImproperlyConfigured(
            f"{setting}: unknown role {', '.join(unknown)} (known: {', '.join(by_key)}).")
    return frozenset(by_key[key.strip().lower()] for key in keys)
