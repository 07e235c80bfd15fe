"""Who may do what with users and organisations. Pure functions of the acting user."""

from __future__ import annotations

from shelter.accounts.models import User


def can_manage_people(user: User) -> bool:
    """Only coordinators invite, change and deactivate users and organisations."""
    return bool(user.is_authenticated and user.is_coordinator)
