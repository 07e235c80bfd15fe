"""Two kinds of our own, as an app would declare them in its notifications.py."""

from __future__ import annotations

from django.utils.translation import ngettext

from shelter.notifications.kinds import Kind, register

TASKS = register(Kind(
    key="test_tasks_due", label="Tasks due (test)",
    summary=lambda n: ngettext("%(count)d task is due", "%(count)d tasks are due", n)
    % {"count": n},
    link="dashboard", default="daily"))

SHARES = register(Kind(
    key="test_share_ending", label="A share ends (test)",
    summary=lambda n: ngettext("%(count)d share ends within 7 days",
                               "%(count)d shares end within 7 days", n) % {"count": n},
    link=lambda params: f"/cases/{params['case']}/", default="immediate"))
