"""The access log's rows are written in Python (shelter.audit.rows): the same links, words and
escaping as the templates they replace, and a constant number of queries for any page size."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse
from django.utils import translation

from shelter import audit
from shelter.audit import Action, Outcome
from shelter.audit.log import build_fields, write_entry
from shelter.audit.rows import Rows
from tests.factories import make_case, sent_queries

pytestmark = pytest.mark.django_db


def _page(client, **query) -> str:
    response = client.get(reverse("audit:events"), query)
    assert response.status_code == 200
    return response.content.decode()


def _row_of(html: str, seq: int) -> str:
    match = re.search(rf"<tr[^>]*><td>{seq}</td>.*?</tr>", html, re.S)
    assert match, f"no row #{seq}"
    return match.group(0)


def _download_entry(actor, case):
    """A document download entry naming its case, as the log writes it."""
    document_id = str(uuid.uuid4())
    fields = build_fields(actor, Action.DOCUMENT_DOWNLOAD, ("cases.document", document_id),
                          Outcome.ALLOWED, "documents", {})
    fields["case_id"] = str(case.pk)
    return write_entry(fields), document_id


@pytest.mark.parametrize("target_id", ["42", str(uuid.uuid4()), "a:b@c", "x y", "ä+1"])
def test_a_link_is_the_reversed_route_with_the_id_in_its_place(target_id):
    rows = Rows()
    assert rows.target_href("cases.document", target_id) == reverse(
        "audit:target", args=["cases.document", target_id])
    assert rows.actor_href(7) == reverse("audit:actor", args=[7])
    assert rows.actor_href(123456) == reverse("audit:actor", args=[123456])


def test_a_row_links_its_actor_its_object_and_the_case_it_belongs_to(as_user, aud, olaf, carla):
    heron = make_case(carla, officer=olaf)
    entry, document_id = _download_entry(olaf, heron)

    row = _row_of(_page(as_user(aud)), entry.seq)
    actor = reverse("audit:actor", args=[olaf.pk])
    document = reverse("audit:target", args=["cases.document", document_id])
    case = reverse("audit:target", args=["cases.case", str(heron.pk)])
    assert f'<a href="{actor}">{olaf.full_name}</a>' in row
    assert (f'<a href="{document}">document</a> <span class="log-id">{document_id}</span>'
            f'<br><span class="log-case">of case <a href="{case}">Heron</a></span>') in row
    assert '<span class="tag tag--ok">allowed</span>' in row
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT[^"]+\+0[12]:00">\d{1,2} \w+ \d{4} '
                     r'\d\d:\d\d:\d\d</time>', row)
    assert 'class="row--break-glass"' not in row


def test_names_from_the_database_are_escaped(as_user, aud, olaf, municipality):
    olaf.full_name = '<script>alert("x")</script>'
    olaf.save(update_fields=["full_name"])
    municipality.name = "<b>Leiden</b> & co"
    municipality.save(update_fields=["name"])
    entry = audit.record(olaf, Action.CASE_LIST, None)

    row = _row_of(_page(as_user(aud)), entry.seq)
    assert "<script>" not in row and "<b>Leiden" not in row
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in row
    assert "&lt;b&gt;Leiden&lt;/b&gt; &amp; co" in row


def test_break_glass_refusal_rejection_and_sign_in_details(as_user, aud, olaf, carla):
    heron = make_case(carla, officer=olaf)
    glass = audit.record(olaf, Action.BREAK_GLASS, heron, section="basic")
    refused = audit.record(olaf, Action.REFUSED, None, Outcome.REFUSED, reason="not_verified")
    rejected = audit.record(olaf, Action.CASE_VIEW_SECTION, heron, Outcome.REJECTED,
                            section="basic")
    sign_in = audit.record(olaf, Action.SIGN_IN, None, method="password+totp", again=True)
    anonymous = audit.record(None, Action.SIGN_IN_FAILED, None, Outcome.REFUSED,
                             factor="password")
    html = _page(as_user(aud))

    row = _row_of(html, glass.seq)
    assert row.startswith('<tr class="row--break-glass">')
    assert '<span class="tag tag--danger">' in row
    assert '<span class="tag tag--warn">refused</span>' in _row_of(html, refused.seq)
    assert '<span class="tag tag--muted">rejected</span>' in _row_of(html, rejected.seq)
    assert ('<span class="log-detail">Password + authenticator app <span class="tag '
            'tag--muted">confirmed again</span></span>') in _row_of(html, sign_in.seq)
    row = _row_of(html, anonymous.seq)
    assert "<td>—</td>" in row and "<a href" not in row.split("</td>")[2]
    assert '<span class="log-detail">' in row


def test_rows_speak_dutch(as_user, aud, olaf, carla):
    heron = make_case(carla, officer=olaf)
    entry, document_id = _download_entry(olaf, heron)
    client = as_user(aud)
    client.cookies["django_language"] = "nl"

    row = _row_of(_page(client), entry.seq)
    with translation.override("nl"):
        words = [translation.gettext(w) for w in ("of case", "allowed")]
        action = str(Action.DOCUMENT_DOWNLOAD.label)
    assert words != ["of case", "allowed"]
    assert f'<span class="log-case">{words[0]} <a' in row
    assert f'<span class="tag tag--ok">{words[1]}</span>' in row
    assert action in row


def test_the_panel_and_the_case_history_use_the_same_cells(as_user, carla, olaf):
    heron = make_case(carla, officer=olaf)
    audit.record(olaf, Action.CASE_VIEW_SECTION, heron, Outcome.REFUSED, section="identity")
    history = as_user(carla).get(reverse("cases:history", args=[heron.pk]))
    assert history.status_code == 200
    assert '<span class="tag tag--warn">refused</span>' in history.content.decode()


def test_the_events_page_sends_as_many_queries_for_four_entries_as_for_fifty(as_user, aud,
                                                                             olaf, carla):
    client = as_user(aud)
    heron = make_case(carla, officer=olaf)

    def queries_with(entries: int) -> list[str]:
        for i in range(entries):
            audit.record(olaf, Action.CASE_VIEW_SECTION, heron, section="basic", row=i)
            document = ("cases.document", str(uuid.uuid4()))
            audit.record(olaf, Action.DOCUMENT_DOWNLOAD, document, case=heron)
        # Olaf's entries only: the same kinds of object on both pages.
        return sent_queries(lambda: client.get(reverse("audit:events"), {"actor": olaf.pk}))

    small, large = queries_with(2), queries_with(25)
    assert len(small) == len(large)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_time_is_written_as_djangos_date_format_writes_it(language):
    import datetime

    from django.utils import dateformat

    rows = Rows()
    with translation.override(language):
        for month in range(1, 13):
            for moment in (datetime.datetime(2027, month, 1, 0, 0, 0),
                           datetime.datetime(987, month, 28, 9, 5, 7),
                           datetime.datetime(2026, month, 9, 23, 59, 59)):
                assert rows.when(moment) == dateformat.format(moment, "j F Y H:i:s")
    assert len(rows._months) == 12  # each month's name translated once
