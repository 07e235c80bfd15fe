"""Officers add their own tasks (title sealed), assign them, give and change due dates."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Task
from shelter.audit import Action
from tests.factories import make_share, recorded

DUE = timezone.localdate() + datetime.timedelta(days=5)
TITLE = "Call the ZQXJ lawyer back"


def add(client, case, **extra):
    data = {"title": TITLE, "due_on": DUE.isoformat(), **extra}
    return client.post(reverse("cases:task_create", args=[case.pk]), data)


def test_the_task_create_service_seals_the_title_and_records_no_text(carla, olaf, case,
                                                                     audit_since):
    task = services.task_create(case=case, title=TITLE, due_on=DUE, owner=olaf,
                                acting_user=carla)
    stored = Task.objects.get(pk=task.pk)
    assert (stored.title, stored.due_on, stored.owner, stored.stage) == (TITLE, DUE, olaf,
                                                                          case.stage)
    assert stored.is_own and stored.title_key == ""
    raw = Task.objects.filter(pk=task.pk).values_list("own_title", flat=True).get()
    assert b"ZQXJ" not in raw.blob
    [event] = recorded(audit_since, Action.CASE_UPDATE)
    assert event.section == "tasks" and event.facts["change"] == "task_create"
    assert event.facts["task_id"] == str(task.pk) and event.facts["owner_id"] == olaf.pk
    assert event.facts["due_on"] == DUE.isoformat() and "ZQXJ" not in str(event.facts)


def test_two_own_tasks_may_be_added_in_one_stage(carla, case):
    services.task_create(case=case, title="One", acting_user=carla)
    services.task_create(case=case, title="Two", acting_user=carla)
    assert sorted(t.title for t in Task.objects.filter(case=case, title_key="")) == ["One",
                                                                                     "Two"]


def test_the_reschedule_service_changes_date_and_owner(carla, olaf, otto, case, audit_since):
    task = services.task_create(case=case, title=TITLE, due_on=DUE, owner=olaf,
                                acting_user=carla)
    later = DUE + datetime.timedelta(days=7)
    services.task_reschedule(task=task, due_on=later, owner=otto, acting_user=carla)
    task.refresh_from_db()
    assert (task.due_on, task.owner) == (later, otto)
    event = recorded(audit_since, Action.CASE_UPDATE)[-1]
    assert event.facts["change"] == "task_reschedule" and event.facts["owner_id"] == otto.pk
    assert (event.facts["due_before"], event.facts["owner_before"]) == (DUE.isoformat(),
                                                                        olaf.pk)


def test_an_officer_adds_a_task_with_owner_and_due_date(as_user, olaf, otto, case):
    client = as_user(olaf)
    page = client.get(reverse("cases:tasks", args=[case.pk])).content.decode()
    assert "Add a task" in page and otto.full_name in page
    assert add(client, case, owner=otto.pk).status_code == 302
    task = Task.objects.get(case=case, title_key="")
    assert (task.title, task.owner, task.due_on) == (TITLE, otto, DUE)
    page = client.get(reverse("cases:tasks", args=[case.pk])).content.decode()
    assert TITLE in page and otto.full_name in page


def test_a_task_without_a_title_is_refused_with_400(as_user, olaf, case):
    response = add(as_user(olaf), case, title="")
    assert response.status_code == 400 and "title" in response.context["form"].errors
    assert not Task.objects.filter(case=case).exists()


def test_a_due_date_in_the_past_is_refused(as_user, olaf, case):
    past = timezone.localdate() - datetime.timedelta(days=1)
    response = add(as_user(olaf), case, due_on=past.isoformat())
    assert response.status_code == 400 and "due_on" in response.context["form"].errors
    assert not Task.objects.filter(case=case).exists()


def test_an_owner_must_be_staff(as_user, olaf, pia, case):
    response = add(as_user(olaf), case, owner=pia.pk)
    assert response.status_code == 400 and "owner" in response.context["form"].errors
    assert not Task.objects.filter(case=case).exists()


def test_rescheduling_through_the_page(as_user, carla, olaf, otto, case, audit_since):
    task = services.task_create(case=case, title=TITLE, due_on=DUE, owner=olaf,
                                acting_user=carla)
    client = as_user(olaf)
    url = reverse("cases:task_edit", args=[case.pk, task.pk])
    page = client.get(url).content.decode()
    assert "Reschedule a task" in page and TITLE in page
    later = DUE + datetime.timedelta(days=10)
    response = client.post(url, {"title": TITLE, "due_on": later.isoformat(), "owner": otto.pk})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.due_on, task.owner) == (later, otto)


def test_a_generated_task_keeps_its_title_when_rescheduled(as_user, carla, olaf, case):
    services.case_transition(case=case, to="under_review", acting_user=carla)
    task = Task.objects.filter(case=case).exclude(title_key="").first()
    url = reverse("cases:task_edit", args=[case.pk, task.pk])
    response = as_user(olaf).post(url, {"title": "ignored", "due_on": DUE.isoformat(),
                                        "owner": ""})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.due_on == DUE and task.owner is None and task.own_title is None


def test_an_invalid_reschedule_changes_nothing(as_user, carla, olaf, case):
    task = services.task_create(case=case, title=TITLE, due_on=DUE, acting_user=carla)
    url = reverse("cases:task_edit", args=[case.pk, task.pk])
    response = as_user(olaf).post(url, {"title": TITLE, "due_on": "not a date"})
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.due_on == DUE


def test_a_partner_even_with_contribute_gets_404_on_tasks(as_user, carla, pia, case):
    make_share(case, carla, user=pia, sections=["basic", "residency"], mode="contribute")
    task = services.task_create(case=case, title=TITLE, acting_user=carla)
    client = as_user(pia)
    assert add(client, case).status_code == 404
    assert client.get(reverse("cases:task_edit", args=[case.pk, task.pk])).status_code == 404
    assert client.post(reverse("cases:task_edit", args=[case.pk, task.pk]),
                       {"title": "x", "due_on": DUE.isoformat()}).status_code == 404
    assert Task.objects.filter(case=case).count() == 1


def test_a_task_of_another_case_is_404(as_user, carla, olaf, case):
    from tests.factories import make_case

    other = make_case(carla, code_name="Kestrel", legal_name="K", passport_number="K1")
    task = services.task_create(case=other, title=TITLE, acting_user=carla)
    url = reverse("cases:task_edit", args=[case.pk, task.pk])
    assert as_user(olaf).get(url).status_code == 404


def test_an_auditor_gets_404(as_user, aud, case):
    assert add(as_user(aud), case).status_code == 404
    assert not Task.objects.filter(case=case).exists()


@pytest.mark.django_db(transaction=True)
def test_going_back_before_own_tasks_refuses_while_one_exists(carla, case):
    """Reversing cases.0009 would drop the titles and break the old once-per-stage rule: it
    refuses with a clear message, and the task and its title stay."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    task = services.task_create(case=case, title=TITLE, acting_user=carla)
    executor = MigrationExecutor(connection)
    with pytest.raises(RuntimeError, match="1 task\\(s\\) made by officers exist"):
        executor.migrate([("cases", "0008_sharing_moves_to_its_app")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest schema
    assert Task.objects.get(pk=task.pk).own_title == TITLE
