"""The four roles, as groups (created by the data migration accounts.0002).

What a role may do is decided by each app's `policies.py` from the user's role, and, for
partners' access to cases, by the guardian object permissions of their shares; no model
permission is attached to a role group.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "Coordinator", _("Coordinator")
    CASE_OFFICER = "Case officer", _("Case officer")
    PARTNER = "Partner", _("Partner")
    AUDITOR = "Auditor", _("Auditor")


