"""A coordinator finds the Scheduled jobs page in the navigation after the jobs ran, in
English and in Dutch; axe-core checks every page on the way."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from shelter.accounts.models import Organisation
from shelter.accounts.roles import Role
from tests.browser.test_case_officer_journey import sign_in
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_reads_the_job_log(a11y_page, live_server, settings, tmp_path):
    settings.SHELTER_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    organisation = Organisation.objects.create(name="Gemeente", kind="municipality")
    coordinator = make_user("cora@example.org", Role.COORDINATOR, organisation)
    call_command("run_due_jobs", "--job", "expire_shares", stdout=io.StringIO())
    page = a11y_page.page
    sign_in(a11y_page, live_server, coordinator)
    page.goto("/")
    a11y_page.check()
    page.get_by_role("link", name="Scheduled jobs").click()
    page.get_by_role("heading", name="Scheduled jobs").wait_for()
    a11y_page.check()
    row = page.get_by_role("row").filter(has_text="expire_shares")
    assert "every hour" in row.inner_text() and "Done" in row.inner_text()
    assert page.get_by_text("Due now").count() >= 1  # the daily jobs have not run
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "nl",
                               "url": live_server.url}])
    page.reload()
    page.get_by_role("heading", name="Geplande taken").wait_for()
    a11y_page.check()
    assert "elk uur" in page.get_by_role("row").filter(has_text="expire_shares").inner_text()
