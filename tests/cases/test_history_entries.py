"""The case's history lists what happened to the case and its parts, in words, without text."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import history, services
from cases.sharing.services import share_revoke
from housing import services as housing_services
from shelter.audit import Action
from tests.factories import make_share, recorded, sent_queries

TODAY = datetime.date.today()
NOTE_TEXT = "Threat QZXW received by phone"
FILE_NAME = "passport JQKV.pdf"


@pytest.fixture
def busy_case(as_user, carla, olaf, pia, case):
    """A case with one of each event kind: upload, download, share and revoke, booking, note,
    task and programme changes, and a stage change."""
    client = as_user(olaf)
    client.post(reverse("cases:document_upload", args=[case.pk]), {
        "file": SimpleUploadedFile(FILE_NAME, b"%PDF passport", "application/pdf"),
        "category": "passport_visa"})
    document = case.documents.get()
    b"".join(client.get(reverse("cases:document_download",
                                args=[case.pk, document.pk])).streaming_content)
    share = make_share(case, carla, user=pia, sections=["basic", "identity", "housing"])
    share_revoke(share=share, acting_user=carla, reason="Support ended")
    unit = housing_services.unit_create(acting_user=carla, code_name="Linden",
                                        address="Kerkstraat 12-III, 1017 GC Amsterdam")
    housing_services.availability_add(unit=unit, start=TODAY, acting_user=carla,
                                      end=TODAY + datetime.timedelta(200))
    housing_services.booking_create(unit=unit, case=case, acting_user=carla,
                                    start=TODAY + datetime.timedelta(60),
                                    end=TODAY + datetime.timedelta(150))
    services.note_create(case=case, category="security", body=NOTE_TEXT, acting_user=olaf)
    services.task_create(case=case, title="Own task VWXQ", acting_user=olaf,
                         due_on=datetime.date(2027, 1, 5))
    activity = services.activity_create(case=case, acting_user=olaf, day=TODAY, starts="10:00",
                                        title="Lecture", kind="lecture")
    services.activity_cancel(activity=activity, acting_user=olaf)
    services.case_transition(case=case, to="under_review", acting_user=olaf)
    return case


def test_every_event_kind_appears_with_who_what_and_section(carla, olaf, busy_case):
    entries = history.case_history(carla, busy_case)
    rows = {(e.what, e.section) for e in entries}
    assert ("Document uploaded", "documents (passport and visa)") in rows
    assert ("Document downloaded", "documents (passport and visa)") in rows
    assert ("Share granted", "basic details, identity, housing") in rows
    assert ("Share revoked", "basic details, identity, housing") in rows
    assert ("Booking created", "housing") in rows
    assert ("Note added", "notes (security)") in rows
    assert ("Task added", "tasks") in rows
    assert ("Activity added to the programme", "programme") in rows
    assert ("Activity cancelled", "programme") in rows
    assert ("Case stage changed", "basic details") in rows
    by_what = {e.what: e for e in entries}
    assert by_what["Document uploaded"].who == olaf.full_name
    assert by_what["Booking created"].who == carla.full_name
    assert by_what["Task added"].detail == "due 5 January 2027"
    assert by_what["Case stage changed"].detail == "Nominated → Under review"
    assert [e.time for e in entries] == sorted((e.time for e in entries), reverse=True)


def test_page_views_are_not_in_the_case_history(as_user, olaf, busy_case):
    as_user(olaf).get(reverse("cases:profile", args=[busy_case.pk]))
    assert "Case section viewed" not in {e.what for e in history.case_history(olaf,
                                                                              busy_case)}


def test_the_history_page_shows_words_and_no_personal_text(as_user, olaf, busy_case):
    response = as_user(olaf).get(reverse("cases:history", args=[busy_case.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and 'data-marker="case-history"' in page
    for words in ("Document uploaded", "Document downloaded", "Share granted", "Share revoked",
                  "Booking created", "Note added", "documents (passport and visa)",
                  "notes (security)", "basic details, identity, housing"):
        assert words in page, words
    for secret in ("QZXW", "JQKV", "VWXQ", "Kerkstraat", "Support ended"):
        assert secret not in page, secret


def test_the_history_page_is_in_dutch_on_the_dutch_page(as_user, olaf, busy_case):
    response = as_user(olaf).get(reverse("cases:history", args=[busy_case.pk]),
                                 HTTP_ACCEPT_LANGUAGE="nl")
    page = response.content.decode()
    for words in ("Wat er gebeurde", "Document geüpload", "Document gedownload",
                  "Deling verleend", "Deling ingetrokken", "Boeking aangemaakt",
                  "Notitie toegevoegd", "Taak toegevoegd", "documenten (paspoort en visum)",
                  "notities (veiligheid)", "huisvesting"):
        assert words in page, words


def test_an_officer_of_another_case_sees_no_case_history(as_user, otto, busy_case):
    response = as_user(otto).get(reverse("cases:history", args=[busy_case.pk]))
    assert response.status_code == 200 and b'data-marker="case-history"' not in response.content
    assert b"Document downloaded" not in response.content


def test_a_partner_gets_404(as_user, carla, pia, case):
    make_share(case, carla, user=pia, sections=["basic", "identity"])
    assert as_user(pia).get(reverse("cases:history", args=[case.pk])).status_code == 404


def test_old_share_entries_named_cases_caseshare_are_read_as_shares(carla, pia, case,
                                                                    audit_since):
    from shelter import audit

    share = make_share(case, carla, user=pia, sections=["basic", "contact"])
    # An entry as written before sharing moved to its own app: an old target type, no case.
    audit.record(carla, Action.SHARE_REVOKE, ("cases.caseshare", share.pk))
    [old] = [e for e in recorded(audit_since, Action.SHARE_REVOKE)]
    assert old.target_type == "cases.caseshare"
    rows = {(e.what, e.section) for e in history.case_history(carla, case)}
    assert ("Share revoked", "basic details, contact details") in rows


def test_a_residency_change_is_named_by_its_section(carla, case):
    services.case_update(case=case, acting_user=carla,
                         planned_departure=datetime.date.today() + datetime.timedelta(days=150))
    rows = {(e.what, e.section) for e in history.case_history(carla, case)}
    assert ("Case changed", "residency") in rows


def test_the_history_of_a_shredded_case_still_opens_without_its_sealed_texts(as_user, carla,
                                                                            olaf, case):
    services.task_create(case=case, title="Own task VWXQ", acting_user=olaf)
    services.note_create(case=case, category="general", body=NOTE_TEXT, acting_user=olaf)
    services.case_shred(case=case, acting_user=carla, reason="retention")
    client = as_user(carla)
    response = client.get(reverse("cases:history", args=[case.pk]))
    assert response.status_code == 200 and b"Note added" in response.content
    tasks = client.get(reverse("cases:tasks", args=[case.pk]))
    assert tasks.status_code == 200 and b"VWXQ" not in tasks.content
    assert b"(no longer readable)" in tasks.content


def test_the_history_page_reads_a_case_with_many_parts_in_as_many_queries_as_with_few(
        as_user, carla, olaf, pia, busy_case):
    """The parts' ids (documents, notes, shares, bookings, tasks…) are one query, and the
    page reads them once, however many parts and kinds of part the case has. (A case with no
    downloads or revocations reads two queries fewer: cases/test_history_rows.py.)"""
    client = as_user(olaf)
    url = reverse("cases:history", args=[busy_case.pk])

    def sql():
        assert client.get(url).status_code == 200  # first visit: the session settles
        return sent_queries(lambda: client.get(url))

    few_sql = sql()
    for i in range(4):
        client.post(reverse("cases:document_upload", args=[busy_case.pk]), {
            "file": SimpleUploadedFile(f"more {i}.pdf", b"%PDF more", "application/pdf"),
            "category": "medical"})
        services.note_create(case=busy_case, category="general", body=NOTE_TEXT, acting_user=olaf)
        services.task_create(case=busy_case, title=f"Task {i}", acting_user=olaf)
        share_revoke(share=make_share(busy_case, carla, user=pia), acting_user=carla, reason="")
    busy_sql = sql()
    assert len(busy_sql) == len(few_sql)
    assert sum("UNION ALL" in statement for statement in busy_sql) == 1
