"""An officer's daily work, in Dutch and in English: she adds a task with an owner and a due
date and reschedules it, changes a planned activity and cancels it through the confirmation
page, looks at the agenda's month view and jumps to a date, and reads the case's history
(uploads, downloads, shares, bookings and notes in words). axe-core checks every page at
1280 px and 390 px."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from cases import services
from cases.models import Activity, Task
from cases.sharing.services import share_revoke
from housing import services as housing_services
from tests.cases.matrix_world import upload_file
from tests.factories import A11yPage, add_session, make_case, make_share, make_user, verified_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = datetime.date.today()
FIRST_NEXT_MONTH = (TODAY.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
ACTIVITY_DAY = FIRST_NEXT_MONTH + datetime.timedelta(days=9)
DUE = TODAY + datetime.timedelta(days=7)
LATER = TODAY + datetime.timedelta(days=21)

WORDS = {
    "en-GB": {
        "task": "Task", "due": "Due on", "owner": "Owner", "add_task": "Add the task",
        "reschedule": "Reschedule", "save_task": "Save the new date and owner",
        "change": "Change", "title": "Title", "place": "Place", "save_activity":
        "Save the activity", "cancel": "Cancel this activity", "cancelled": "cancelled",
        "jump": "Go to a date", "typed": "%d/%m/%Y", "show": "Show", "month": "The whole month",
        "show_agenda": "Show the agenda", "next_month": "Next month", "agenda_for": "Agenda for",
        "history": ["What happened", "Document uploaded", "Document downloaded",
                    "Share granted", "Share revoked", "Booking created", "Note added",
                    "Task added", "Task rescheduled", "Activity changed", "Activity cancelled",
                    "documents (passport and visa)", "notes (general)", "housing"],
        "months": ["January", "February", "March", "April", "May", "June", "July", "August",
                   "September", "October", "November", "December"],
    },
    "nl-NL": {
        "task": "Taak", "due": "Uiterlijk op", "owner": "Eigenaar", "add_task": "Taak toevoegen",
        "reschedule": "Verzetten", "save_task": "Nieuwe datum en eigenaar opslaan",
        "change": "Wijzigen", "title": "Titel", "place": "Locatie",
        "save_activity": "Activiteit opslaan", "cancel": "Deze activiteit annuleren",
        "cancelled": "geannuleerd", "jump": "Naar een datum", "show": "Tonen",
        "typed": "%d-%m-%Y", "month": "De hele maand", "show_agenda": "Agenda tonen",
        "next_month": "Volgende maand",
        "agenda_for": "Agenda voor",
        "history": ["Wat er gebeurde", "Document geüpload", "Document gedownload",
                    "Deling verleend", "Deling ingetrokken", "Boeking aangemaakt",
                    "Notitie toegevoegd", "Taak toegevoegd", "Taak verzet",
                    "Activiteit gewijzigd", "Activiteit geannuleerd",
                    "documenten (paspoort en visum)", "notities (algemeen)", "huisvesting"],
        "months": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                   "september", "oktober", "november", "december"],
    },
}


@pytest.fixture
def setting(db):
    from shelter.accounts.models import Organisation
    from shelter.accounts.roles import Role

    municipality = Organisation.objects.create(name="Gemeente", kind="municipality")
    ngo = Organisation.objects.create(name="Justice NGO", kind="coordinating_ngo")
    officer = make_user("olga@example.org", Role.CASE_OFFICER, municipality)
    colleague = make_user("oscar@example.org", Role.CASE_OFFICER, municipality)
    partner = make_user("pia@example.org", Role.PARTNER, ngo)
    case = make_case(officer, officer=officer, legal_name="Ana Demo Pérez",
                     planned_arrival=TODAY + datetime.timedelta(days=40))
    client = verified_client(officer)
    client.post(reverse("cases:document_upload", args=[case.pk]),
                {"file": upload_file("passport_visa"), "category": "passport_visa"})
    document = case.documents.get()
    b"".join(client.get(reverse("cases:document_download",
                                args=[case.pk, document.pk])).streaming_content)
    share = make_share(case, officer, user=partner, sections=["basic", "documents"])
    share_revoke(share=share, acting_user=officer, reason="Support ended")
    unit = housing_services.unit_create(acting_user=officer, code_name="Linden",
                                        address="Kerkstraat 12-III, 1017 GC Amsterdam")
    housing_services.availability_add(unit=unit, start=TODAY, acting_user=officer,
                                      end=TODAY + datetime.timedelta(200))
    housing_services.booking_create(unit=unit, case=case, acting_user=officer,
                                    start=TODAY + datetime.timedelta(40),
                                    end=TODAY + datetime.timedelta(130))
    services.note_create(case=case, category="general", body="Arrived well", acting_user=officer)
    for title, starts in (("Meeting the mayor", "10:00"), ("Radio interview", "15:00")):
        services.activity_create(case=case, acting_user=officer, day=ACTIVITY_DAY,
                                 starts=starts, ends=None, title=title, kind="meeting")
    return officer, colleague, case


@pytest.fixture(params=["en-GB", "nl-NL"])
def localized_page(request, chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale=request.param)
    wrapped = A11yPage(context.new_page())
    yield wrapped, WORDS[request.param]
    wrapped.assert_all_checked()
    context.close()


def long_date(day: datetime.date, words: dict) -> str:
    return f"{day.day} {words['months'][day.month - 1]} {day.year}"


def test_daily_work_journey(localized_page, live_server, setting):
    a11y, words = localized_page
    officer, colleague, case = setting
    page = a11y.page
    add_session(page.context, live_server, officer)

    # A task of her own, for a colleague, due in a week; then moved to her, three weeks out.
    page.goto(f"/cases/{case.pk}/tasks/")
    a11y.check()
    page.get_by_label(words["task"], exact=True).fill("Phone the lawyer")
    page.get_by_label(words["due"]).fill(DUE.isoformat())
    page.get_by_label(words["owner"]).select_option(label=colleague.full_name)
    page.get_by_role("button", name=words["add_task"]).click()
    page.wait_for_url(f"**/cases/{case.pk}/tasks/")
    a11y.check()
    row = page.get_by_role("row").filter(has_text="Phone the lawyer")
    assert colleague.full_name in row.inner_text() and long_date(DUE, words) in row.inner_text()
    row.get_by_role("link", name=re.compile(words["reschedule"])).click()
    a11y.check()
    page.get_by_label(words["due"]).fill(LATER.isoformat())
    page.get_by_label(words["owner"]).select_option(label=officer.full_name)
    page.get_by_role("button", name=words["save_task"]).click()
    page.wait_for_url(f"**/cases/{case.pk}/tasks/")
    a11y.check()
    row = page.get_by_role("row").filter(has_text="Phone the lawyer")
    assert officer.full_name in row.inner_text() and long_date(LATER, words) in row.inner_text()
    task = Task.objects.get(case=case, title_key="")
    assert (task.due_on, task.owner_id) == (LATER, officer.pk)

    # Change one activity, cancel the other through the confirmation page.
    page.goto(f"/cases/{case.pk}/programme/")
    a11y.check()
    page.get_by_role("row").filter(has_text="Meeting the mayor").get_by_role(
        "link", name=re.compile(f"^{words['change']}")).click()
    a11y.check()
    page.get_by_label(words["title"]).fill("Meeting the mayor and council")
    page.get_by_label(words["place"]).fill("City hall")
    page.get_by_role("button", name=words["save_activity"]).click()
    page.wait_for_url(f"**/cases/{case.pk}/programme/")
    a11y.check()
    assert page.get_by_role("row").filter(has_text="Meeting the mayor and council").filter(
        has_text="City hall").count() == 1
    page.get_by_role("row").filter(has_text="Radio interview").get_by_role(
        "link", name=re.compile(words["cancel"])).click()
    a11y.check()
    assert long_date(ACTIVITY_DAY, words) in page.get_by_role("heading", level=1).inner_text()
    assert not Activity.objects.filter(case=case, cancelled_at__isnull=False).exists()
    page.get_by_role("button", name=words["cancel"]).click()
    page.wait_for_url(f"**/cases/{case.pk}/programme/")
    a11y.check()
    assert page.locator("del", has_text="Radio interview").count() == 1
    assert Activity.objects.filter(case=case, cancelled_at__isnull=False).count() == 1

    # The agenda: jump to the activity's day in the month view, then on to the next month.
    page.goto("/cases/agenda/")
    a11y.check()
    page.get_by_label(words["jump"]).fill(ACTIVITY_DAY.strftime(words["typed"]))  # page's way
    page.get_by_label(words["show"]).select_option("month")
    page.get_by_role("button", name=words["show_agenda"]).click()
    page.wait_for_url("**/cases/agenda/?**")
    a11y.check()
    month = f"{words['months'][ACTIVITY_DAY.month - 1]} {ACTIVITY_DAY.year}"
    assert page.get_by_role("heading", level=1).inner_text() == f"{words['agenda_for']} {month}"
    day_row = page.get_by_role("row").filter(has=page.locator(
        f'time[datetime="{ACTIVITY_DAY.isoformat()}"]'))
    assert "Meeting the mayor and council" in day_row.inner_text()
    assert "Radio interview" not in day_row.inner_text()
    page.get_by_role("link", name=re.compile(words["next_month"])).click()
    a11y.check()
    assert "Meeting the mayor" not in page.content()

    # The case's history, in words.
    page.goto(f"/cases/{case.pk}/history/")
    a11y.check()
    text = page.locator("main").inner_text()
    for expected in words["history"]:
        assert expected in text, expected
    for secret in ("Arrived well", "file-passport_visa-marker", "Kerkstraat", "Phone the lawyer"):
        assert secret not in text, secret
