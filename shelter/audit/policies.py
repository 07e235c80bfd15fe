"""Who may read the access log. Auditors read everything and change nothing.

Per-object histories ("who accessed this case") are also open to coordinators; an app may widen
that for its own objects with `register_history_policy` (e.g. the assigned case officer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shelter.accounts.roles import Role

HistoryPolicy = Callable[[Any, str], bool]
_HISTORY_POLICIES: dict[str, HistoryPolicy] = {}


def can_read_log(user: Any) -> bool:
    """The auditors' pages: the whole log, read-only."""
    return bool(user and user.is_authenticated and user.has_role(Role.AUDITOR))


def can_see_recovery_sign_ins(user: Any) -> bool:
    """The "recovery sign-ins" panel (who signed in by code though their role must use a
    passkey): coordinators, who lead the staff and must hear of a phished account first."""
    return bool(user and user.is_authenticated and user.has_role(Role.COORDINATOR))


def register_history_policy(target_type: str, policy: HistoryPolicy) -> None:
    """Let `policy(user, target_id)` open the history of `target_type` objects to more users."""
    _HISTORY_POLICIES[target_type] = policy


def can_read_history(user: Any, target_type: str, target_id: str) -> bool:
    """The access history of one object: auditors, coordinators, or a registered policy."""
    if not (user and user.is_authenticated):
        return False
    if user.has_role(Role.AUDITOR, Role.COORDINATOR):
        return True
    policy = _HISTORY_POLICIES.get(target_type)
    return bool(policy and policy(user, target_id))
