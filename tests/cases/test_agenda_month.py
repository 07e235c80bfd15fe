"""The agenda's month view, its month links and the jump to a date."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from cases import services
from tests.factories import make_case, make_share, recorded


def plan(case, user, day, title):
    return services.activity_create(case=case, acting_user=user, day=day, starts="09:00",
                                    title=title, kind="meeting")


def test_the_month_view_lists_the_activities_of_that_month_per_day(as_user, carla, otto, case):
    plan(case, carla, datetime.date(2027, 1, 5), "Meeting the mayor")
    plan(case, carla, datetime.date(2027, 1, 28), "Radio interview")
    plan(case, carla, datetime.date(2027, 2, 1), "Talk in February")
    plan(case, carla, datetime.date(2026, 12, 31), "Talk in December")
    response = as_user(otto).get(reverse("cases:agenda"), {"view": "month", "month": "2027-01"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Meeting the mayor" in page and "Radio interview" in page
    assert "Talk in February" not in page and "Talk in December" not in page
    assert "Agenda for January 2027" in page
    assert page.count('<time datetime="2027-01-') == 31  # a row for every day
    assert "?view=month&amp;month=2026-12" in page and "?view=month&amp;month=2027-02" in page
    assert page.index("2027-01-05") < page.index("Meeting the mayor") < page.index("2027-01-28")


def test_the_month_view_records_each_case_read(as_user, carla, otto, case, audit_since):
    other = make_case(carla, code_name="Kestrel", legal_name="K", passport_number="K1")
    plan(case, carla, datetime.date(2027, 1, 5), "A")
    plan(other, carla, datetime.date(2027, 1, 6), "B")
    since = recorded(audit_since)[-1].seq
    as_user(otto).get(reverse("cases:agenda"), {"view": "month", "month": "2027-01"})
    reads = recorded(since)
    assert {(e.target_id, e.section) for e in reads if e.section == "programme"} == {
        (str(case.pk), "programme"), (str(other.pk), "programme")}


def test_jumping_to_a_date_shows_two_weeks_from_it(as_user, carla, otto, case):
    plan(case, carla, datetime.date(2027, 3, 10), "In range")
    plan(case, carla, datetime.date(2027, 3, 30), "Too late")
    page = as_user(otto).get(reverse("cases:agenda"), {"from": "2027-03-09"}).content.decode()
    assert "In range" in page and "Too late" not in page
    assert 'name="from"' in page and 'value="2027-03-09"' in page  # as typed, kept


def test_a_date_with_the_month_view_shows_that_month(as_user, carla, otto, case):
    plan(case, carla, datetime.date(2027, 3, 30), "End of March")
    page = as_user(otto).get(reverse("cases:agenda"),
                             {"from": "2027-03-09", "view": "month"}).content.decode()
    assert "End of March" in page and "Agenda for March 2027" in page


def test_nonsense_months_fall_back_to_today(as_user, otto):
    for query in ({"view": "month", "month": "2027-13"}, {"view": "month", "month": "0001-01"},
                  {"month": "x", "view": "month"}):
        assert as_user(otto).get(reverse("cases:agenda"), query).status_code == 200


def test_a_date_that_cannot_be_read_is_an_error_and_shows_today(as_user, otto):
    for query in ({"from": "0001-01-01"}, {"from": "9999-12-31", "view": "month"},
                  {"from": "31-02-2027"}, {"from": "tomorrow"}):
        response = as_user(otto).get(reverse("cases:agenda"), query)
        assert response.status_code == 400, query
        assert response.context["jump"].errors["from"], query
        assert response.context["start"] in (timezone.localdate(),
                                              timezone.localdate().replace(day=1))


def test_the_jump_takes_the_date_the_page_s_way(as_user, otto):
    for language, typed in (("nl", "09-03-2027"), ("en", "09/03/2027"), ("en", "2027-03-09")):
        response = as_user(otto).get(reverse("cases:agenda"), {"from": typed},
                                     HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        assert response.context["start"] == datetime.date(2027, 3, 9), (language, typed)
    page = as_user(otto).get(reverse("cases:agenda"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert f'value="{timezone.localdate():%d-%m-%Y}"' in page  # the field starts at today


def test_a_partner_sees_only_the_programmes_shared_with_them(as_user, carla, pia, case):
    other = make_case(carla, code_name="Kestrel", legal_name="K", passport_number="K1")
    make_share(case, carla, user=pia, sections=["basic", "residency"])
    make_share(other, carla, user=pia, sections=["basic"])
    plan(case, carla, datetime.date(2027, 1, 5), "Shared programme")
    plan(other, carla, datetime.date(2027, 1, 6), "Not shared programme")
    page = as_user(pia).get(reverse("cases:agenda"),
                            {"view": "month", "month": "2027-01"}).content.decode()
    assert "Shared programme" in page and "Not shared programme" not in page


def test_an_auditor_gets_no_month_view(as_user, aud):
    response = as_user(aud).get(reverse("cases:agenda"), {"view": "month", "month": "2027-01"})
    assert response.status_code == 404
