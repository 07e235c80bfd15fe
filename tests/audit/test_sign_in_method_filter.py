"""Auditors filter the log by sign-in method and read method and reason in words."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from shelter import audit
from shelter.audit import Action, Outcome
from tests.factories import events_after, head_seq

pytestmark = pytest.mark.django_db


@pytest.fixture
def sign_ins(olaf, carla):
    audit.record(olaf, Action.OTP_VERIFIED, olaf, device="totp", method="password+totp")
    audit.record(carla, Action.OTP_VERIFIED, carla, device="passkey", method="password+passkey")
    audit.record(carla, Action.OTP_VERIFIED, carla, device="passkey", method="password+passkey",
                 again=True)
    audit.record(None, Action.SIGN_IN_FAILED, None, Outcome.REFUSED, factor="sso",
                 reason="unknown_identity")
    audit.record(olaf, Action.OTP_FAILED, olaf, Outcome.REFUSED, reason="wrong_code")
    return head_seq()


def test_the_method_filter_selects_only_its_sign_ins(as_user, aud, carla, sign_ins):
    response = as_user(aud).get(reverse("audit:events"), {"method": "password+passkey"})
    assert response.status_code == 200
    rows = list(response.context["page"])
    assert [(e.actor_id, e.facts["method"]) for e in rows] == [
        (carla.pk, "password+passkey"), (carla.pk, "password+passkey")]


def test_the_method_filter_is_recorded_as_a_code(as_user, aud, sign_ins):
    as_user(aud).get(reverse("audit:events"), {"method": "password+totp"})
    [visit] = [e for e in events_after(sign_ins) if e.action == Action.AUDIT_VIEW]
    assert visit.facts["filter_method"] == "password+totp"


def test_an_unknown_method_is_a_filter_error(as_user, aud, sign_ins):
    response = as_user(aud).get(reverse("audit:events"), {"method": "password+telepathy"})
    assert response.status_code == 400 and not list(response.context["page"])


def test_the_table_shows_method_factor_and_reason_in_words(as_user, aud, sign_ins):
    page = as_user(aud).get(reverse("audit:events"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Password + passkey" in page and "Password + authenticator app" in page
    assert "confirmed again" in page and "wrong code" in page
    assert "Single sign-on" in page and "unknown_identity" in page  # unknown code: as it is


def test_the_table_is_dutch_for_dutch_auditors(as_user, aud, sign_ins):
    client = as_user(aud)
    page = client.get(reverse("audit:events"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Wachtwoord + passkey" in page and "verkeerde code" in page


def test_the_export_has_the_method_and_reason_in_words(as_user, aud, olaf, sign_ins):
    response = as_user(aud).get(reverse("audit:export"), {"method": "password+totp"},
                                HTTP_ACCEPT_LANGUAGE="en")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, [row] = rows[0], rows[1:]
    assert row[header.index("sign_in_method")] == "Password + authenticator app"
    assert row[header.index("actor_id")] == str(olaf.pk)


def test_the_export_names_reasons_and_factors(as_user, aud, sign_ins):
    response = as_user(aud).get(reverse("audit:export"),
                                {"action": int(Action.SIGN_IN_FAILED)},
                                HTTP_ACCEPT_LANGUAGE="nl")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, body = rows[0], rows[1:]
    assert [(r[header.index("factor")], r[header.index("reason")]) for r in body] == [
        ("Eenmalige aanmelding (SSO)", "unknown_identity")]


def test_case_rows_show_no_sign_in_details(as_user, aud, olaf):
    audit.record(olaf, Action.CASE_VIEW_SECTION, ("cases.case", "c-1"), method="password+totp")
    entries = [e for e in as_user(aud).get(reverse("audit:events")).context["page"]
               if e.action == Action.CASE_VIEW_SECTION]
    assert entries and entries[0].method_label == ""
