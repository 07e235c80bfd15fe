"""Who may read and who may change the register of processing activities. Pure functions of
the acting user.

The register holds no personal data: every member of staff may read it. Coordinators and
auditors (the privacy officers' roles) maintain it and export it; partners see none of it.
"""

from __future__ import annotations

from typing import Any

from shelter.accounts.roles import Role


def _staff(user: Any, *roles: Role) -> bool:
    return bool(user and user.is_authenticated and user.has_role(*roles))


def can_view_register(user: Any) -> bool:
    return _staff(user, Role.COORDINATOR, Role.CASE_OFFICER, Role.AUDITOR)


def can_change_register(user: Any) -> bool:
    return _staff(user, Role.COORDINATOR, Role.AUDITOR)


def can_export_register(user: Any) -> bool:
    return _staff(user, Role.COORDINATOR, Role.AUDITOR)
