"""The four roles, as groups, and the model permissions each group carries.

Groups are created by a data migration; this module is the one list both the migration and
the code read, so a role cannot exist in one place and not the other.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "Coordinator", _("Coordinator")
    CASE_OFFICER = "Case officer", _("Case officer")
    PARTNER = "Partner", _("Partner")
    AUDITOR = "Auditor", _("Auditor")


# Model permissions per role ("app_label.codename"). Object-level access (partners) comes from
# shares, not from these.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COORDINATOR: [
        "accounts.view_user", "accounts.add_user", "accounts.change_user",
        "accounts.view_organisation", "accounts.add_organisation",
        "accounts.change_organisation",
    ],
    Role.CASE_OFFICER: ["accounts.view_organisation"],
    Role.PARTNER: [],
    Role.AUDITOR: [],
}
