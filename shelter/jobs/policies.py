"""Who may read the scheduled jobs' log. Pure functions of the acting user.

Coordinators run the programme and must see that shares expire and retention runs; auditors
must see that the daily checkpoint and chain verification ran. The page shows job names,
times, outcomes and counts only (no case, no person), and nobody changes anything there.
"""

from __future__ import annotations

from typing import Any

from shelter.accounts.roles import Role


def can_view_jobs(user: Any) -> bool:
    """The "Scheduled jobs" page: coordinators and auditors, read-only."""
    return bool(user and user.is_authenticated and user.has_role(Role.COORDINATOR, Role.AUDITOR))
