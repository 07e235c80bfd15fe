"""W3C Trace Context: the request id is a trace id; a `traceparent` from a user who passed both
factors is honoured (the access log's entries carry its trace and name its span as their
parent) and passed on to outgoing mail and document storage; a stranger's is ignored."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from shelter.audit import Action
from shelter.context import RequestInfo, current_request, outgoing_traceparent
from shelter.mail.models import OutgoingMail
from shelter.tracecontext import format_traceparent, parse_traceparent
from tests.factories import events_after, head_seq, verified_client

pytestmark = pytest.mark.django_db

TRACE, PARENT = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
HEADER = f"00-{TRACE}-{PARENT}-01"


@pytest.mark.parametrize(("header", "expected"), [
    (HEADER, (TRACE, PARENT, "01")),
    (f"  {HEADER} ", (TRACE, PARENT, "01")),
    (f"01-{TRACE}-{PARENT}-00-later-fields", (TRACE, PARENT, "00")),  # a later version
    (HEADER.upper(), None), (f"ff-{TRACE}-{PARENT}-01", None),
    (f"00-{'0' * 32}-{PARENT}-01", None), (f"00-{TRACE}-{'0' * 16}-01", None),
    (f"00-{TRACE}-{PARENT}-01-extra", None), (f"00-{TRACE[:-1]}-{PARENT}-01", None),
    (f"00-{TRACE}-{PARENT}", None), ("", None), (None, None), ("x" * 600, None),
    (f"00-{TRACE}-{PARENT}-0g", None),
])
def test_traceparent_is_parsed_as_the_specification_says(header, expected):
    parsed = parse_traceparent(header)
    assert (None if parsed is None else (parsed.trace_id, parsed.parent_id, parsed.flags)) \
        == expected


def test_an_entry_is_a_span_of_the_request_trace(olaf, case):
    since = head_seq()
    response = verified_client(olaf).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    [entry] = [e for e in events_after(since) if e.action == Action.CASE_VIEW_SECTION]
    assert re.fullmatch(r"[0-9a-f]{32}", entry.request_id)
    assert entry.request_id == response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", entry.span_id) and entry.parent_span_id == ""


def test_a_verified_users_traceparent_is_honoured(olaf, case):
    since = head_seq()
    response = verified_client(olaf).get(f"/cases/{case.pk}/", HTTP_TRACEPARENT=HEADER)
    assert response.status_code == 200 and response["X-Request-ID"] == TRACE
    [entry] = [e for e in events_after(since) if e.action == Action.CASE_VIEW_SECTION]
    assert (entry.request_id, entry.parent_span_id) == (TRACE, PARENT)
    assert entry.span_id not in {"", PARENT}


def test_a_strangers_or_half_signed_in_traceparent_is_ignored(olaf):
    since = head_seq()
    anonymous = Client().post("/accounts/sign-in/", {"email": olaf.email, "password": "wrong"},
                              HTTP_TRACEPARENT=HEADER)
    assert anonymous["X-Request-ID"] != TRACE
    half = Client()
    half.force_login(olaf)  # the password only
    assert half.get("/cases/", HTTP_TRACEPARENT=HEADER)["X-Request-ID"] != TRACE
    assert all(e.request_id != TRACE and e.parent_span_id != PARENT
               for e in events_after(since))


def test_outgoing_traceparent_names_the_request_span():
    assert outgoing_traceparent() is None
    token = current_request.set(RequestInfo(TRACE, None, "", span_id="1" * 16,
                                            parent_span_id=PARENT, trace_flags="01"))
    try:
        assert outgoing_traceparent() == format_traceparent(TRACE, "1" * 16, "01")
    finally:
        current_request.reset(token)


@pytest.mark.django_db(transaction=True)
def test_the_trace_reaches_the_mail_server(carla, ngo, smtp_server):
    response = verified_client(carla).post(
        "/accounts/people/invite/", {"email": "new.partner@example.org", "full_name": "Nadia N",
                                     "role": "Partner", "organisation": ngo.pk},
        HTTP_TRACEPARENT=HEADER)
    assert response.status_code == 200 and response["X-Request-ID"] == TRACE
    [queued] = OutgoingMail.objects.all()
    parsed = parse_traceparent(queued.traceparent)
    assert parsed is not None and parsed.trace_id == TRACE and parsed.flags == "01"
    assert parsed.parent_id != PARENT  # the request's own span is the mail's parent
    [message] = smtp_server.inbox.messages()
    assert message["traceparent"] == queued.traceparent


def test_mail_asked_for_outside_a_request_carries_no_trace(carla):
    from shelter.mail.outbox import queue_mail

    assert queue_mail("digest", carla).traceparent == ""
    token = current_request.set(RequestInfo(TRACE, None, "", span_id="2" * 16))
    try:
        assert queue_mail("digest", carla).traceparent == f"00-{TRACE}-{'2' * 16}-00"
    finally:
        current_request.reset(token)
