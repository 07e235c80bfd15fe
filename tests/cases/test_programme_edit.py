"""Changing a planned activity, and cancelling it through the confirmation page."""

from __future__ import annotations

import datetime

from django.urls import reverse

from cases import services
from cases.models import Activity
from shelter.audit import Action
from tests.factories import make_case, make_share, recorded

DAY = datetime.date.today() + datetime.timedelta(days=3)


def planned(case, user, **extra):
    values = {"day": DAY, "starts": "10:00", "ends": "11:30", "kind": "lecture",
              "title": "Lecture at the university", "place": "Room ZQXJ 1.01", **extra}
    return services.activity_create(case=case, acting_user=user, **values)


def edit_url(activity):
    return reverse("cases:activity_edit", args=[activity.case_id, activity.pk])


def cancel_url(activity):
    return reverse("cases:activity_cancel", args=[activity.case_id, activity.pk])


def test_the_update_service_changes_the_fields_and_records_only_their_names(carla, case,
                                                                            audit_since):
    activity = planned(case, carla)
    since = recorded(audit_since)[-1].seq
    services.activity_update(activity=activity, acting_user=carla, place="Room QQQW 2",
                             day=DAY + datetime.timedelta(days=1))
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.place, stored.day) == ("Room QQQW 2", DAY + datetime.timedelta(days=1))
    [event] = recorded(since, Action.CASE_UPDATE)
    assert event.section == "programme" and event.facts["change"] == "activity_update"
    assert event.facts["fields"] == ["day", "place"] and "QQQW" not in str(event.facts)


def test_an_unchanged_activity_records_nothing(carla, case, audit_since):
    activity = planned(case, carla)
    since = recorded(audit_since)[-1].seq
    services.activity_update(activity=activity, acting_user=carla)
    assert recorded(since, Action.CASE_UPDATE) == []


def test_an_officer_edits_an_activity_through_the_page(as_user, carla, olaf, case,
                                                       audit_since):
    activity = planned(case, carla)
    client = as_user(olaf)
    page = client.get(edit_url(activity)).content.decode()
    assert "Change an activity" in page and "Room ZQXJ 1.01" in page
    response = client.post(edit_url(activity), {
        "day": DAY.isoformat(), "starts": "14:00", "ends": "15:00", "kind": "media",
        "title": "Radio interview", "place": "Studio 3"})
    assert response.status_code == 302
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.starts, stored.ends, stored.kind, stored.title, stored.place) == (
        "14:00", "15:00", "media", "Radio interview", "Studio 3")
    event = recorded(audit_since, Action.CASE_UPDATE)[-1]
    assert set(event.facts["fields"]) == {"starts", "ends", "kind", "title", "place"}


def test_an_invalid_edit_is_a_400_and_changes_nothing(as_user, carla, olaf, case):
    activity = planned(case, carla)
    response = as_user(olaf).post(edit_url(activity), {
        "day": DAY.isoformat(), "starts": "14:00", "ends": "13:00", "kind": "media",
        "title": "Radio interview"})
    assert response.status_code == 400 and "ends" in response.context["form"].errors
    assert Activity.objects.get(pk=activity.pk).title == "Lecture at the university"


def test_the_programme_names_its_buttons(as_user, carla, olaf, case):
    planned(case, carla)
    page = as_user(olaf).get(reverse("cases:programme", args=[case.pk])).content.decode()
    assert "Cancel this activity" in page and "Lecture or event" in page
    assert ">Cancel<" not in page and "data-confirm" not in page


def test_cancel_asks_first_and_names_the_activity(as_user, carla, olaf, case):
    activity = planned(case, carla)
    client = as_user(olaf)
    response = client.get(cancel_url(activity))
    page = response.content.decode()
    assert response.status_code == 200 and 'name="confirmed" value="1"' in page
    assert "Lecture or event on" in page and "This is what will happen" in page
    assert Activity.objects.get(pk=activity.pk).cancelled_at is None


def test_a_post_without_confirmation_shows_the_page_and_cancels_nothing(as_user, carla, olaf,
                                                                         case, audit_since):
    activity = planned(case, carla)
    since = recorded(audit_since)[-1].seq
    response = as_user(olaf).post(cancel_url(activity))
    assert response.status_code == 200 and b"This is what will happen" in response.content
    assert Activity.objects.get(pk=activity.pk).cancelled_at is None
    assert recorded(since, Action.CASE_UPDATE) == []


def test_a_confirmed_cancel_cancels_and_records(as_user, carla, olaf, case, audit_since):
    activity = planned(case, carla)
    response = as_user(olaf).post(cancel_url(activity), {"confirmed": "1"})
    assert response.status_code == 302
    assert Activity.objects.get(pk=activity.pk).cancelled_at is not None
    event = recorded(audit_since, Action.CASE_UPDATE)[-1]
    assert event.facts["change"] == "activity_cancel"


def test_a_contributing_partner_may_add_but_not_edit_or_cancel(as_user, carla, pia, case):
    make_share(case, carla, user=pia, sections=["basic", "residency"], mode="contribute")
    activity = planned(case, carla)
    client = as_user(pia)
    assert client.get(edit_url(activity)).status_code == 403
    assert client.post(edit_url(activity), {"day": DAY.isoformat(), "starts": "09:00",
                                            "kind": "other", "title": "x"}).status_code == 403
    assert client.post(cancel_url(activity), {"confirmed": "1"}).status_code == 403
    stored = Activity.objects.get(pk=activity.pk)
    assert stored.cancelled_at is None and stored.title == "Lecture at the university"


def test_an_activity_of_another_case_is_404(as_user, carla, olaf, case):
    other = make_case(carla, code_name="Kestrel", legal_name="K", passport_number="K1")
    activity = planned(other, carla)
    url = reverse("cases:activity_edit", args=[case.pk, activity.pk])
    assert as_user(olaf).get(url).status_code == 404
    url = reverse("cases:activity_cancel", args=[case.pk, activity.pk])
    assert as_user(olaf).post(url, {"confirmed": "1"}).status_code == 404
    assert Activity.objects.get(pk=activity.pk).cancelled_at is None


def test_a_partner_without_a_share_gets_404(as_user, carla, paul, case):
    activity = planned(case, carla)
    assert as_user(paul).get(edit_url(activity)).status_code == 404
    assert as_user(paul).get(cancel_url(activity)).status_code == 404
