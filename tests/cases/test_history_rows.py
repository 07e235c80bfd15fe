"""The history page's two tables are written in Python (shelter.audit.rows): the same HTML, byte
for byte, as the template loops they replace, in English and Dutch, with every value escaped;
and the page reads the same statements for a case with few parts or entries as for one with
many."""

from __future__ import annotations

import datetime
import re

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from cases.history import ACCESS_ROWS, HistoryEntry
from cases.sharing.services import share_revoke
from shelter import audit
from shelter.audit import Action, Outcome
from shelter.audit.log import record_each
from shelter.audit.models import AuditEvent
from tests.factories import make_case, make_share, sent_queries

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & \'co\''

# The loops of cases/templates/cases/history.html before they were written in Python.
OLD_ENTRIES = """{% load i18n %}  <tbody>
  {% for e in entries %}
    <tr>
      <td><time datetime="{{ e.time|date:'c' }}">{{ e.time|date:"j F Y, H:i" }}</time></td>
      <td>{{ e.who|default:"—" }}</td>
      <th scope="row">{{ e.what }}</th>
      <td>{{ e.section|default:"—" }}</td>
      <td>{{ e.detail|default:"—" }}</td>
    </tr>
  {% empty %}
    <tr><td colspan="5">{% translate "Nothing recorded yet." %}</td></tr>
  {% endfor %}
  </tbody>"""
OLD_EVENTS = """{% load i18n audit_rows %}  <tbody>
  {% for e in events %}
    <tr>
      <td>{{ e.time|date:"j F Y, H:i:s" }}</td>
      <td>{{ e.actor_name|default:"—" }}</td>
      <td>{{ e.action_label }}</td>
      <td>{{ e.section_label|default:"—" }}</td>
      <td>{% event_outcome e %}</td>
    </tr>
  {% empty %}
    <tr><td colspan="5">{% translate "Nothing recorded yet." %}</td></tr>
  {% endfor %}
  </tbody>"""


def _new(tag: str, name: str) -> str:
    return ("{% load i18n audit_rows %}  <tbody>\n  {% " + tag + " " + name + " %}"
            "{% if not " + name + " %}\n"
            '    <tr><td colspan="5">{% translate "Nothing recorded yet." %}</td></tr>\n'
            "  {% endif %}\n  </tbody>")


NEW_ENTRIES, NEW_EVENTS = _new("history_entry_rows", "entries"), _new("access_history_rows",
                                                                      "events")


def _render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_the_template_in_the_page_is_the_one_compared_here():
    """The page's template uses exactly the loops this test renders."""
    with open("cases/templates/cases/history.html", encoding="utf-8") as page:
        text = page.read()
    for new in (NEW_ENTRIES, NEW_EVENTS):
        assert new.split("<tbody>\n", 1)[1].split("\n  </tbody>")[0] in text


@pytest.mark.parametrize("language", ["en", "nl"])
def test_what_happened_rows_are_the_templates(language):
    times = [datetime.datetime(2026, 3, 29, 0, 30, tzinfo=datetime.UTC),  # summer time starts
             datetime.datetime(2026, 12, 31, 23, 59, 59, tzinfo=datetime.UTC),  # a new year
             datetime.datetime(2026, 12, 31, 8, 5, tzinfo=datetime.UTC)]
    entries = [HistoryEntry(time=times[0], who=HOSTILE, what=HOSTILE, section=HOSTILE,
                            detail=HOSTILE),
               HistoryEntry(time=times[1], who="", what="Note added", section=""),
               HistoryEntry(time=times[2], who="Olaf", what="Task added", section="tasks",
                            detail="due 5 January 2027")]
    with translation.override(language):
        for shown in (entries, []):
            new = _render(NEW_ENTRIES, entries=shown)
            assert new == _render(OLD_ENTRIES, entries=shown)
    assert "<script>" not in new and "&lt;script&gt;alert(&quot;x&quot;)" in _render(
        NEW_ENTRIES, entries=entries)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_access_history_rows_are_the_templates(language, carla, olaf):
    heron = make_case(carla, officer=olaf)
    audit.record(olaf, Action.CASE_VIEW_SECTION, heron, section="notes")
    audit.record(olaf, Action.CASE_VIEW_SECTION, heron, section="", outcome=Outcome.REFUSED)
    audit.record(None, Action.SHARE_EXPIRE, heron)
    audit.record(olaf, Action.BOOKING_CREATE, heron, outcome=Outcome.REJECTED)
    events = list(AuditEvent.objects.order_by("-seq")[:6])
    for event, name in zip(events, [HOSTILE, "", "Olaf", HOSTILE, "Carla", ""], strict=False):
        event.actor_name = name
    with translation.override(language):
        for shown in (events, []):
            new = _render(NEW_EVENTS, events=shown)
            assert new == _render(OLD_EVENTS, events=shown)
        rendered = _render(NEW_EVENTS, events=events)
    assert "<script>" not in rendered and "&lt;script&gt;alert(&quot;x&quot;)" in rendered
    assert len(re.findall("<tr>", rendered)) == len(events)


# --- queries ----------------------------------------------------------------------------------
def _history_reads(client, case) -> dict[str, int]:
    """The history's own statements on its page: reads of the log (not the writer's), of names,
    of the documents' categories and of the shares, and the parts' UNION."""
    url = reverse("cases:history", args=[case.pk])
    assert client.get(url).status_code == 200
    sql = sent_queries(lambda: client.get(url))
    log = [s for s in sql if s.startswith("SELECT") and 'FROM "audit_auditevent"' in s]
    return {"log": len(log), "all": len(sql),
            "names": sum('"accounts_user"."full_name" AS' in s for s in sql),
            "documents": sum('FROM "cases_document"' in s and "UNION" not in s for s in sql),
            "shares": sum('FROM "cases_caseshare"' in s and "grantee_organisation__name" in s
                          for s in sql),
            "union": sum("UNION ALL" in s for s in sql)}


def test_a_case_with_few_entries_reads_the_log_once_and_names_in_one_query(as_user, carla,
                                                                           olaf):
    """Fewer entries than the access history shows: the business events are among them."""
    heron = make_case(carla, officer=olaf)
    reads = _history_reads(as_user(olaf), heron)
    assert reads == {**reads, "log": 1, "names": 1, "documents": 0, "shares": 0, "union": 1}


def test_many_entries_read_the_log_twice_however_many_there_are(as_user, carla, olaf):
    """More entries than the access history shows: one more read for the business events, the
    same for 120 entries as for 600."""
    heron, plover = make_case(carla, officer=olaf), make_case(carla, code_name="Plover",
                                                              officer=olaf)
    record_each(olaf, Action.CASE_LIST, [heron] * (ACCESS_ROWS + 20), section="basic")
    record_each(olaf, Action.CASE_LIST, [plover] * (ACCESS_ROWS * 6), section="basic")
    client = as_user(olaf)
    few, many = _history_reads(client, heron), _history_reads(client, plover)
    assert few == many
    assert few == {**few, "log": 2, "names": 1, "union": 1}


def test_more_parts_and_shares_read_no_more_statements(as_user, carla, olaf, pia):
    """Shares revoked (their sections come from the share rows) read the shares once, for two
    as for twelve; the parts' ids are one UNION however many parts."""
    heron, plover = make_case(carla, officer=olaf), make_case(carla, code_name="Plover",
                                                              officer=olaf)
    for case, count in ((heron, 2), (plover, 12)):
        for _ in range(count):
            share = make_share(case, carla, user=pia, sections=["basic", "housing"])
            share_revoke(share=share, acting_user=carla, reason="Support ended")
    client = as_user(olaf)
    few, many = _history_reads(client, heron), _history_reads(client, plover)
    assert few == many
    assert few == {**few, "log": 1, "names": 1, "shares": 1, "union": 1}
