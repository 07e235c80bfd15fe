"""No request talks to the mail server: the invitation is sent after its page is answered, a
reset mail only by the job (its timing would tell whether the address has an account)."""

from __future__ import annotations

import pytest

from shelter.mail.models import OutgoingMail
from shelter.mail.outbox import send_due
from tests.factories import verified_client
from tests.mail.conftest import WhenBackend, ask_reset

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def when(settings):
    settings.EMAIL_BACKEND = "tests.mail.conftest.WhenBackend"
    WhenBackend.during_request = []
    return WhenBackend


def test_the_invitation_is_sent_after_its_page_not_during_it(carla, ngo, when):
    response = verified_client(carla).post("/accounts/people/invite/", {
        "email": "nina@example.org", "full_name": "Nina", "role": "Partner",
        "organisation": ngo.pk})
    assert response.status_code == 200 and "on its way" in response.content.decode()
    assert when.during_request == [False]
    assert OutgoingMail.objects.get().state == "sent"


def test_a_reset_mail_is_never_attempted_after_the_answer_only_by_the_job(olaf, when):
    assert ask_reset(olaf.email).status_code == 200
    queued = OutgoingMail.objects.get()
    assert (queued.state, queued.attempts, when.during_request) == ("queued", 0, [])
    assert send_due()["sent"] == 1 and when.during_request == [False]
