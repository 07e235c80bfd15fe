"""The logs of a whole journey on the demo site hold none of the demo's personal data.

The log handler is the one production configures (JSON lines, the request id, one line per
request), pointed at a buffer; the journey touches sign-in, lists, search, a case's pages, a
document, a partner's refusal and a failing page.
"""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from cases.demo import DEMO
from cases.models import Case
from shelter.accounts.models import User
from shelter.logs import JsonFormatter, RequestDetailsFilter, RequestIdFilter

from ..factories import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log():
    """Every configured logger's console handler writes JSON lines into a buffer; the request
    line is on, as in production."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RequestDetailsFilter())
    names = ["", "django", "django.request", "django.security", "shelter", "shelter.request",
             "py.warnings"]
    saved = {}
    for name in names:
        logger = logging.getLogger(name)
        saved[name] = logger.level
        logger.addHandler(handler)
    logging.getLogger("shelter.request").setLevel(logging.INFO)
    logging.getLogger("shelter").setLevel(logging.DEBUG)
    yield buffer
    for name in names:
        logging.getLogger(name).removeHandler(handler)
        logging.getLogger(name).setLevel(saved[name])


def demo_personal_data() -> list[str]:
    """The demo's names, passports, e-mail addresses and phone numbers, and every person's
    name and address among the users."""
    values = []
    for code, name, passport, *_rest in DEMO:
        values += [name, *name.split(), passport, f"{code.lower()}@example.invalid"]
    for user in User.objects.all():
        values += [user.email, user.full_name]
    return [v for v in values if len(v) >= 4 and v != "Demo"]


def test_a_journey_leaves_no_personal_data_in_the_logs(json_log, client):
    call_command("seed_demo", stdout=io.StringIO())
    olaf = User.objects.get(email="olaf@demo.shelter.test")
    pia = User.objects.get(email="pia@demo.shelter.test")
    heron = Case.objects.get(defender__code_name="Heron")

    # A failed sign-in with a real address (the lockout and refusal paths log).
    client.post(reverse("accounts:login"), {"username": olaf.email, "password": "wrong"})
    client.get(reverse("accounts:login") + f"?next=/cases/&email={olaf.email}")

    officer = verified_client(olaf)
    for url in [reverse("dashboard"), reverse("cases:list") + "?q=Ana+Demo+P%C3%A9rez",
                reverse("cases:profile", args=[heron.pk]),
                reverse("cases:residency", args=[heron.pk]),
                reverse("cases:history", args=[heron.pk]), reverse("housing:schedule")]:
        assert officer.get(url).status_code == 200, url
    officer.post(reverse("cases:search"), {"q": "Ana Demo Pérez"})
    officer.post(reverse("cases:document_upload", args=[heron.pk]), {
        "category": "other", "file": SimpleUploadedFile("Ana Demo Pérez passport.pdf",
                                                        b"%PDF-1.4 demo")})
    officer.get("/cases/00000000-0000-0000-0000-000000000000/")  # 404
    partner = verified_client(pia)
    partner.get(reverse("cases:profile", args=[heron.pk]))  # refused unless shared

    text = json_log.getvalue()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    requests = [line for line in lines if line["logger"] == "shelter.request"]
    assert len(requests) >= 10  # the journey was logged, one line per request
    assert all(line["route"] and line["status"] and line["request_id"] for line in requests)
    assert {"cases:profile", "cases:list", "cases:search"} <= {line["route"] for line in requests}
    for line in requests:
        assert set(line) >= {"time", "level", "logger", "message", "request_id", "method",
                             "route", "status", "duration_ms"}
    leaked = [value for value in demo_personal_data() if value.lower() in text.lower()]
    assert leaked == []
    assert "q=" not in text and "?" not in "".join(line["route"] for line in requests)
    assert str(heron.pk) not in "".join(line["route"] for line in requests)


def test_an_exception_is_logged_by_type_and_stack_without_its_message(json_log):
    logger = logging.getLogger("shelter.test")
    address = "ana" + "@example.invalid"  # a value, as a database error would quote it
    try:
        try:
            raise KeyError(address)
        except KeyError as inner:
            raise ValueError(f"Key (email)=({address}) already exists") from inner
    except ValueError:
        logger.exception("saving failed")
    line = json.loads(json_log.getvalue().splitlines()[-1])
    assert line["message"] == "saving failed" and line["level"] == "ERROR"
    assert "builtins.ValueError" in line["exc_info"]
    assert "caused by builtins.KeyError" in line["exc_info"]
    assert "test_logs.py" in line["exc_info"]  # the stack stays
    assert address not in json_log.getvalue()


def test_djangos_own_error_line_names_the_route_not_the_url(json_log, rf):
    """A 500 (and a CSRF refusal, a bad Host) is logged by Django with the request attached:
    neither the query string nor the path with its ids may reach the line."""
    from django.http import HttpResponse
    from django.urls import resolve
    from django.utils.log import log_response

    request = rf.get("/cases/?q=Ana+Demo+P%C3%A9rez&email=ana@example.invalid")
    request.resolver_match = resolve("/cases/")
    log_response("%s: %s", "Internal Server Error", request.path,
                 response=HttpResponse(status=500), request=request)
    line = json.loads(json_log.getvalue().splitlines()[-1])
    assert line["logger"] == "django.request" and line["level"] == "ERROR"
    assert line["message"] == "Internal Server Error: cases:list"
    assert "request" not in line
    assert "Ana" not in json_log.getvalue() and "example.invalid" not in json_log.getvalue()
