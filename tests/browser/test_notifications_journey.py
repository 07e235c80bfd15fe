"""A case officer sets a preference, reads the notification centre and marks an item read, in
Chromium, in English and Dutch; axe-core checks every page on the way."""

from __future__ import annotations

import pytest

from shelter.accounts.models import Organisation
from shelter.accounts.roles import Role
from shelter.notifications.api import notify
from shelter.notifications.models import Notification, NotificationPreference
from tests.browser.test_case_officer_journey import sign_in
from tests.factories import make_user
from tests.notifications import testkinds  # noqa: F401 (registers the test kinds)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_sets_a_preference_reads_and_marks_read(a11y_page, live_server, settings):
    organisation = Organisation.objects.create(name="Gemeente", kind="municipality")
    officer = make_user("oona@example.org", Role.CASE_OFFICER, organisation)
    notify("test_tasks_due", officer, count=3, dedupe="tasks:1")
    notify("test_tasks_due", officer, count=2, dedupe="tasks:2")
    page = a11y_page.page
    sign_in(a11y_page, live_server, officer)
    page.goto("/")
    bell = page.locator('[data-marker="bell"]')
    assert "2" in bell.inner_text()
    a11y_page.check()
    bell.click()
    page.get_by_role("heading", name="Notifications").wait_for()
    a11y_page.check()
    assert page.get_by_role("link", name="3 tasks are due").count() == 1
    first = Notification.objects.get(dedupe="tasks:1")
    page.locator(f'[data-marker="notification-{first.pk}"]').get_by_role(
        "button", name="Mark as read").click()
    page.get_by_role("heading", name="Notifications").wait_for()
    first.refresh_from_db()
    assert first.read_at is not None
    assert page.locator('[data-marker="unread-count"]').inner_text().startswith("1")
    a11y_page.check()

    page.get_by_role("link", name="Choose how notifications reach you").click()
    page.get_by_role("heading", name="Notification preferences").wait_for()
    a11y_page.check()
    assert "Always, immediately" in page.locator('[data-marker="preference-lockout"]').inner_text()
    page.locator('[data-marker="preference-test_tasks_due"]').get_by_label("Off").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Your notification preferences are saved.").wait_for()
    assert NotificationPreference.objects.get(user=officer, kind="test_tasks_due").mode == "off"

    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "nl",
                               "url": live_server.url}])
    page.goto("/notifications/")
    page.get_by_role("heading", name="Meldingen").wait_for()
    a11y_page.check()
    page.get_by_role("button", name="Alles als gelezen markeren").click()
    page.get_by_text("Alle meldingen zijn als gelezen gemarkeerd.").wait_for()
    assert not Notification.objects.filter(user=officer, read_at__isnull=True).exists()
    a11y_page.check()
