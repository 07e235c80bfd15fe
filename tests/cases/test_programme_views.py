"""A defender's programme and the two-week agenda; times, titles and places are sealed."""

from __future__ import annotations

import datetime

from django.urls import reverse

from cases import services
from cases.models import Activity
from shelter.audit import Action
from tests.factories import make_case, recorded

DAY = datetime.date.today() + datetime.timedelta(days=3)


def add(client, case, **extra):
    data = {"day": DAY.isoformat(), "starts": "10:00", "ends": "11:30", "kind": "lecture",
            "title": "Lecture at the university", "place": "Room ZQXJ 1.01", **extra}
    return client.post(reverse("cases:programme", args=[case.pk]), data)


def test_an_officer_adds_an_activity_stored_encrypted(as_user, olaf, case, audit_since):
    assert add(as_user(olaf), case).status_code == 302
    activity = Activity.objects.get(case=case)
    assert (activity.starts, activity.ends, activity.place) == ("10:00", "11:30",
                                                                "Room ZQXJ 1.01")
    raw = Activity.objects.filter(pk=activity.pk).values_list("place", flat=True).get()
    assert b"ZQXJ" not in raw.blob
    [event] = recorded(audit_since, Action.CASE_UPDATE)
    assert event.section == "programme" and "ZQXJ" not in str(event.facts)


def test_the_end_must_follow_the_start(as_user, olaf, case):
    response = add(as_user(olaf), case, ends="09:00")
    assert response.status_code == 200 and "ends" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_cancelling_keeps_the_activity_struck_through(as_user, olaf, case):
    client = as_user(olaf)
    add(client, case)
    activity = Activity.objects.get()
    url = reverse("cases:activity_cancel", args=[case.pk, activity.pk])
    assert client.post(url, {"confirmed": "1"}).status_code == 302
    activity.refresh_from_db()
    assert activity.cancelled_at is not None
    page = client.get(reverse("cases:programme", args=[case.pk])).content.decode()
    assert "<del>Lecture at the university</del>" in page


def test_the_agenda_lists_every_residency_and_records_each_case_read(as_user, carla, otto, case,
                                                                     audit_since):
    other = make_case(carla, code_name="Kestrel", legal_name="K", passport_number="K1")
    services.activity_create(case=case, acting_user=carla, day=DAY, starts="09:00",
                             title="Radio interview", kind="media")
    services.activity_create(case=other, acting_user=carla, day=DAY, starts="14:00",
                             title="Meeting the mayor", kind="meeting")
    services.activity_create(case=other, acting_user=carla, day=DAY + datetime.timedelta(30),
                             starts="14:00", title="Far away", kind="meeting")
    since = recorded(audit_since)[-1].seq
    page = as_user(otto).get(reverse("cases:agenda")).content.decode()
    assert "Radio interview" in page and "Meeting the mayor" in page and "Far away" not in page
    reads = recorded(since, Action.CASE_VIEW_SECTION)
    assert {e.target_id for e in reads} == {str(case.pk), str(other.pk)}
    assert {e.section for e in reads} == {"programme"}


def test_auditors_get_no_agenda(as_user, carla, case, aud):
    services.activity_create(case=case, acting_user=carla, day=DAY, starts="09:00",
                             title="Radio interview", kind="media")
    response = as_user(aud).get(reverse("cases:agenda"))
    assert response.status_code == 404 and b"Radio interview" not in response.content


def test_a_partner_without_a_residency_share_sees_an_empty_agenda(as_user, carla, case, pia):
    services.activity_create(case=case, acting_user=carla, day=DAY, starts="09:00",
                             title="Radio interview", kind="media")
    response = as_user(pia).get(reverse("cases:agenda"), {"from": DAY.isoformat()})
    assert response.status_code == 200 and b"Radio interview" not in response.content
