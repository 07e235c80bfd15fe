"""30 days before retention shreds a case, every active coordinator is told once (kind
retention_due, the case id only); a held case is not warned about."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases import services
from cases.models import Case, CaseTransition
from shelter.accounts.roles import Role
from shelter.jobs.models import JobRun
from shelter.notifications.models import Notification
from tests.factories import make_case, make_user
from tests.jobs.conftest import NOON

pytestmark = pytest.mark.django_db


def end_case(case: Case, days_ago: int, actor) -> Case:
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.UNDER_REVIEW)
    case.refresh_from_db()
    services.case_transition(case=case, to=Case.Stage.REJECTED, acting_user=actor, reason="no")
    CaseTransition.objects.filter(case=case).update(
        created_at=timezone.now() - datetime.timedelta(days=days_ago))
    return case


def run_warning() -> None:
    call_command("run_due_jobs", "--job", "warn_retention", stdout=io.StringIO())


def test_coordinators_are_warned_once_per_case_30_days_ahead(clock, carla, olaf, municipality):
    other = make_user("cora@example.org", Role.COORDINATOR, municipality)
    gone = make_user("gone@example.org", Role.COORDINATOR, municipality)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    soon = end_case(make_case(carla, code_name="Soon"), 730 - 10, carla)
    later = end_case(make_case(carla, code_name="Later"), 730 - 35, carla)
    held = end_case(make_case(carla, code_name="Held"), 730 - 5, carla)
    services.legal_hold_place(case=held, reason="court", acting_user=carla)

    run_warning()
    warned = Notification.objects.filter(kind="retention_due").all  # a fresh query each call
    assert sorted(n.user_id for n in warned()) == sorted([carla.pk, other.pk])
    assert {n.params["case"] for n in warned()} == {str(soon.pk)}
    assert JobRun.objects.get(job="warn_retention").counts == {"cases": 1, "notified": 2}

    run_warning()  # the same day: the job does not run again
    clock.move_to(NOON + datetime.timedelta(days=1))
    run_warning()  # the next day: the same case is not warned about twice
    assert warned().count() == 2
    assert JobRun.objects.filter(job="warn_retention").latest("pk").counts == {
        "cases": 1, "notified": 0}

    clock.move_to(NOON + datetime.timedelta(days=6))  # "later" enters the 30 days
    run_warning()
    assert {n.params["case"] for n in warned()} == {str(soon.pk), str(later.pk)}
    assert not warned().filter(user=olaf).exists() and not warned().filter(user=gone).exists()


def test_an_immediate_warning_arrives_by_mail_with_a_count_and_a_link_only(
        clock, carla, smtp_server):
    from django.urls import reverse

    from shelter.mail.outbox import send_due
    from shelter.notifications.models import NotificationPreference
    from tests.factories import MARKER, make_marked_case, make_marked_defender
    from tests.mail.contentfree import assert_content_free

    NotificationPreference.objects.create(user=carla, kind="retention_due", mode="immediate")
    marked = make_marked_case(make_marked_defender())
    Case.objects.filter(pk=marked.pk).update(stage=Case.Stage.CLOSED)
    Case.objects.filter(pk=marked.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=730 - 3))
    run_warning()
    send_due()
    [raw] = smtp_server.inbox.raw()
    body = smtp_server.inbox.messages()[0].get_payload(decode=True).decode()
    assert "1 case will be crypto-shredded within 30 days" in body
    assert reverse("cases:legal_hold", args=[marked.pk]) in body
    assert_content_free(raw, [MARKER, "Heron"])
