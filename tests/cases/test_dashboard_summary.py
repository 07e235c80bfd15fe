"""The dashboard's summary counts the open tasks of the cases the user may see: overdue and due
within a week, and lists the user's own; done tasks do not count, and a partner without a
share sees none."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cases import selectors, services
from tests.factories import count_queries, make_case

pytestmark = pytest.mark.django_db


def test_open_tasks_are_counted_by_when_they_are_due(carla, olaf, otto, pia):
    today = timezone.localdate()
    mine = make_case(carla, officer=olaf)
    other = make_case(carla, code_name="Plover", officer=otto)

    def task(case, days, owner=olaf, done=False):
        made = services.task_create(case=case, title="Call", acting_user=owner, owner=owner,
                                    due_on=today + datetime.timedelta(days=days))
        if done:
            services.task_set_done(task=made, done=True, acting_user=owner)
        return made

    for days in (-3, -1):
        task(mine, days)
    task(mine, -2, done=True)
    for days in (0, 3, 7):
        task(mine, days)
    task(mine, 8)
    task(mine, 2, done=True)
    task(other, -5, owner=otto)
    task(other, 1, owner=otto)

    summary = selectors.dashboard_summary(olaf)
    assert (summary["tasks_overdue"], summary["tasks_due"]) == (3, 4)
    assert [t.due_on for t in summary["my_tasks"]] == [
        today + datetime.timedelta(days=d) for d in (-3, -1, 0, 3, 7)]
    assert [t.due_on for t in selectors.dashboard_summary(otto)["my_tasks"]] == [
        today + datetime.timedelta(days=d) for d in (-5, 1)]
    outsider = selectors.dashboard_summary(pia)
    assert (outsider["tasks_overdue"], outsider["tasks_due"], outsider["my_tasks"]) == (0, 0, [])
    # five reads, and one for the keys of the tasks' sealed titles (however many tasks)
    assert count_queries(lambda: selectors.dashboard_summary(olaf)) == 6
