"""Every entry about a case names the case and its defender's pseudonym, whatever the target
(document, share, note, task, booking…), through the real services and views; the case's
history then answers "who downloaded this passport scan?"."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import services
from cases.models import Case, Document, Task
from cases.sharing.services import break_glass_open, share_revoke, shares_expire
from housing import services as housing_services
from shelter.audit import Action
from shelter.audit.chain import CURRENT_VERSION
from shelter.audit.models import AuditEvent
from shelter.audit.selectors import events_for_target
from shelter.crypto.keyring import audit_subject_pseudonym
from tests.factories import day, events_after, fresh_client, make_share, make_unit

pytestmark = pytest.mark.django_db


def _upload(client, case):
    return client.post(reverse("cases:document_upload", args=[case.pk]), {
        "file": SimpleUploadedFile("scan.pdf", b"passport scan", content_type="application/pdf"),
        "category": "passport_visa"})


def _document(as_user, olaf, case) -> Document:
    _upload(as_user(olaf), case)
    return Document.objects.get(case=case, replaces=None)


def upload(w):
    assert _upload(w.as_user(w.olaf), w.case).status_code == 302


def download(w):
    document = _document(w.as_user, w.olaf, w.case)
    response = w.as_user(w.otto).get(
        reverse("cases:document_download", args=[w.case.pk, document.pk]))
    assert b"".join(response.streaming_content) == b"passport scan"


def replace(w):
    document = _document(w.as_user, w.olaf, w.case)
    assert w.as_user(w.olaf).post(
        reverse("cases:document_replace", args=[w.case.pk, document.pk]),
        {"file": SimpleUploadedFile("v2.pdf", b"v2", content_type="application/pdf")}
    ).status_code == 302


def delete(w):
    document = Document.objects.get(pk=_document(w.as_user, w.olaf, w.case).pk)  # no case cached
    services.document_delete(document=document, reason="Wrong case", acting_user=w.olaf)


def share_grant(w):
    make_share(w.case, w.carla, user=w.pia)


def share_revoke_(w):
    share_revoke(share=make_share(w.case, w.carla, user=w.pia), acting_user=w.carla,
                 reason="Done")


def share_expire(w):
    make_share(w.case, w.carla, user=w.pia, days=1)
    shares_expire(now=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3))


def note(w):
    services.note_create(case=w.case, category="general", body="Met at the station",
                         acting_user=w.olaf)


def task(w):
    for stage in (Case.Stage.UNDER_REVIEW, Case.Stage.ACCEPTED, Case.Stage.PREPARING_ARRIVAL):
        services.case_transition(case=w.case, to=stage, acting_user=w.carla, reason="ok")
    first = Task.objects.filter(case=w.case).first()
    services.task_set_done(task=Task.objects.get(pk=first.pk), done=True, acting_user=w.olaf)


def booking(w):
    created = housing_services.booking_create(unit=make_unit(w.carla), case=w.case,
                                              start=day(1), end=day(20), acting_user=w.carla)
    housing_services.booking_move(booking=created, start=day(2), end=day(21),
                                  acting_user=w.carla)
    housing_services.booking_cancel(booking=created, acting_user=w.carla)


def export(w):
    assert fresh_client(w.carla).post(reverse("cases:export", args=[w.case.pk])).status_code \
        == 200


def break_glass(w):
    break_glass_open(case=w.case, acting_user=w.carla, reason="Medical emergency")


def transition(w):
    services.case_transition(case=w.case, to=Case.Stage.UNDER_REVIEW, acting_user=w.carla,
                             reason="ok")


ACTIONS = [
    (upload, [Action.DOCUMENT_UPLOAD]),
    (download, [Action.DOCUMENT_DOWNLOAD]),
    (replace, [Action.DOCUMENT_REPLACE]),
    (delete, [Action.DOCUMENT_DELETE]),
    (share_grant, [Action.SHARE_GRANT]),
    (share_revoke_, [Action.SHARE_REVOKE]),
    (share_expire, [Action.SHARE_EXPIRE]),
    (note, [Action.NOTE_CREATE]),
    (task, [Action.CASE_TRANSITION, Action.CASE_UPDATE]),
    (booking, [Action.BOOKING_CREATE, Action.BOOKING_CHANGE, Action.BOOKING_CANCEL]),
    (export, [Action.CASE_EXPORT]),
    (break_glass, [Action.BREAK_GLASS]),
    (transition, [Action.CASE_TRANSITION]),
]


class World:
    def __init__(self, **people):
        self.__dict__.update(people)


@pytest.mark.parametrize(("act", "actions"), ACTIONS, ids=[a.__name__ for a, _ in ACTIONS])
def test_every_entry_about_a_case_names_the_case_and_its_subject(
        act, actions, case, carla, olaf, otto, pia, as_user, since):
    act(World(case=case, carla=carla, olaf=olaf, otto=otto, pia=pia, as_user=as_user))
    entries = [e for e in events_after(since) if e.action in actions]
    assert {e.action for e in entries} == set(actions)
    subject = audit_subject_pseudonym(case.defender_id)
    for entry in entries:
        assert (entry.case_id, entry.subject_id, entry.version) == (
            str(case.pk), subject, CURRENT_VERSION)
        assert "case_id" not in entry.facts  # the column holds it now
    history = {e.seq for e in events_for_target(carla, case)}
    assert {e.seq for e in entries} <= history


def test_the_subject_id_is_a_keyed_pseudonym_not_the_defender_id(case, olaf, since):
    services.note_create(case=case, category="general", body="x", acting_user=olaf)
    [entry] = [e for e in events_after(since) if e.action == Action.NOTE_CREATE]
    assert len(entry.subject_id) == 64 and str(case.defender_id) not in entry.subject_id
    assert entry.subject_id != audit_subject_pseudonym(case.pk)
    # Stable: every entry about the defender carries the same pseudonym.
    services.case_update(case=case, acting_user=olaf, risk_level="high")
    assert {e.subject_id for e in events_after(since)} == {entry.subject_id}


def test_a_case_passed_explicitly_names_the_case(case, olaf):
    from shelter import audit

    entry = audit.record(olaf, Action.CASE_LIST, None, case=case.pk)
    assert AuditEvent.objects.get(seq=entry.seq).case_id == str(case.pk)
    assert entry.subject_id == audit_subject_pseudonym(case.defender_id)


def test_entries_not_about_a_case_name_none(olaf):
    from shelter import audit

    entry = audit.record(olaf, Action.CASE_LIST, None, page=1)
    assert (entry.case_id, entry.subject_id, entry.version) == ("", "", CURRENT_VERSION)
