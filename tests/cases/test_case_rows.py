"""The case tables' rows, prepared once a page (`cases.rows`), write the same HTML the row
templates wrote with `{% url %}`, `get_stage_display` and the `date` filter: same links, labels,
dates in words and escaping, in English and in Dutch."""

from __future__ import annotations

import datetime
import re

import pytest
from django.template import engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from cases.models import Case, Defender
from cases.rows import case_rows
from cases.sharing.views import share_rows
from tests.factories import make_share

# The rows as the templates wrote them before (the reference for the HTML).
FORMER_CASE_ROWS = """{% for case in cases %}
    <tr>
      <th scope="row"><a href="{% url 'cases:profile' case.pk %}">{{ case.defender.code_name }}</a></th>
      <td><span class="tag">{{ case.get_stage_display }}</span></td>
      <td>{{ case.assigned_officer.full_name|default:"—" }}</td>
      <td>{{ case.defender.country_of_activity.name|default:"—" }}</td>
      <td>{% if case.planned_arrival %}<time datetime="{{ case.planned_arrival|date:'Y-m-d' }}">{{ case.planned_arrival|date:"DATE_FORMAT" }}</time>{% else %}—{% endif %}</td>
      <td>{% if case.planned_departure %}<time datetime="{{ case.planned_departure|date:'Y-m-d' }}">{{ case.planned_departure|date:"DATE_FORMAT" }}</time>{% else %}—{% endif %}</td>
    </tr>
{% endfor %}"""  # noqa: E501

# The table's loop as a template wrote each prepared row, before `CaseRows.html` (exact).
FORMER_ROW_LOOP = (
    '{% for row in rows %}\n    <tr>\n'
    '      <th scope="row"><a href="{{ row.url }}">{{ row.code_name }}</a></th>\n'
    '      <td><span class="tag">{{ row.stage }}</span></td>\n'
    '      <td>{{ row.officer }}</td>\n'
    '      <td>{{ row.country }}</td>\n'
    '      <td>{% if row.arrival %}<time datetime="{{ row.arrival.0 }}">{{ row.arrival.1 }}'
    '</time>{% else %}—{% endif %}</td>\n'
    '      <td>{% if row.departure %}<time datetime="{{ row.departure.0 }}">'
    '{{ row.departure.1 }}</time>{% else %}—{% endif %}</td>\n'
    '    </tr>\n  {% endfor %}')

# The loop of sharing/shared_with_me.html before `SharedRows.html` (exact).
FORMER_SHARED_LOOP = """{% load shares %}{% for row in rows %}
    <tr>
      <th scope="row"><a href="{{ row.url }}">{{ row.code_name }}</a></th>
      <td>{{ row.stage }}</td>
      <td>{{ row.sections|join:", " }}</td>
      <td>{% if row.contribute %}{% translate "May contribute" %}{% else %}{% translate "Read only" %}{% endif %}</td>
      <td>{{ row.expires_at|last_day|date:"DATE_FORMAT" }}</td>
    </tr>
  {% endfor %}"""  # noqa: E501

FORMER_SHARE_CELLS = """{% for row in rows %}<th scope="row"><a href="{% url 'cases:profile' row.case.pk %}">{{ row.case.defender.code_name }}</a></th>
      <td>{{ row.case.get_stage_display }}</td>{% endfor %}"""  # noqa: E501


@pytest.fixture
def varied(olaf):
    olaf.full_name = "Olaf <O'Neil> & co"
    olaf.save(update_fields=["full_name"])
    values = [("Ibis & <b>", "KE", olaf, datetime.date(2027, 3, 1), datetime.date(2027, 9, 30),
               Case.Stage.IN_RESIDENCE),
              ("O'Wren", "", None, None, None, Case.Stage.NOMINATED),
              ('"Heron"', "CO", olaf, datetime.date(2027, 12, 31), None, Case.Stage.CLOSED)]
    cases = []
    for code_name, country, officer, arrival, departure, stage in values:
        defender = Defender.objects.create(code_name=code_name, country_of_activity=country)
        cases.append(Case.objects.create(defender=defender, assigned_officer=officer,
                                         planned_arrival=arrival, planned_departure=departure,
                                         stage=stage))
    return list(Case.objects.filter(pk__in=[c.pk for c in cases])
                .select_related("defender", "assigned_officer").order_by("created_at"))


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_case_rows_write_the_former_html(varied, language):
    with translation.override(language):
        former = engines["django"].from_string(FORMER_CASE_ROWS).render({"cases": varied})
        ours = render_to_string("cases/_case_table.html", {"rows": case_rows(varied)})
    ours = ours[ours.index("<tbody>") + 7:ours.index("</tbody>")]
    assert re.sub(r"\s+", " ", ours).strip() == re.sub(r"\s+", " ", former).strip()
    assert "Ibis &amp; &lt;b&gt;" in ours and "O&#x27;Wren" in ours and "&quot;Heron&quot;" in ours
    assert reverse("cases:profile", args=[varied[0].pk]) in ours


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_partner_rows_write_the_former_links_and_stages(varied, carla, pia, language):
    for case in varied:
        make_share(case, carla, user=pia)
    with translation.override(language):
        shown = share_rows(pia, varied)
        former = engines["django"].from_string(FORMER_SHARE_CELLS).render({"rows": shown})
        ours = engines["django"].from_string(
            '{% for row in rows %}<th scope="row"><a href="{{ row.url }}">{{ row.code_name }}'
            '</a></th>\n      <td>{{ row.stage }}</td>{% endfor %}').render({"rows": shown})
        page = render_to_string("sharing/shared_with_me.html", {"rows": shown})
    assert ours == former
    assert all(cell in page for cell in re.findall(r'<th scope="row">.*?</td>', former, re.S))


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_rows_written_in_python_are_the_loops_characters(varied, language):
    with translation.override(language):
        rows = case_rows(varied)
        former = engines["django"].from_string(FORMER_ROW_LOOP).render({"rows": rows})
        table = render_to_string("cases/_case_table.html", {"rows": rows})
    empty = render_to_string("cases/_case_table.html", {"rows": case_rows([])})
    assert rows.html() == former
    assert f"<tbody>\n  {former}\n  </tbody>" in table
    assert "No cases found." in empty and "<tr>\n" not in empty.split("<tbody>")[1]


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_partner_rows_written_in_python_are_the_loops_characters(varied, carla, pia, ngo,
                                                                    language):
    make_share(varied[0], carla, user=pia, sections=["identity", "contact"], mode="contribute",
               days=3)
    make_share(varied[1], carla, organisation=ngo, days=40)
    make_share(varied[2], carla, user=pia, sections=["identity"], days=3)
    with translation.override(language):
        rows = share_rows(pia, varied)
        hostile = dict(rows[0], code_name="<b>&'\"", stage="<i>", sections=["<s>", "a & b"])
        rows.append(hostile)
        rows.append(dict(rows[1], expires_at=None))  # the filter's answer for no date
        former = engines["django"].from_string("{% load i18n %}" + FORMER_SHARED_LOOP).render(
            {"rows": rows})
        page = render_to_string("sharing/shared_with_me.html", {"rows": rows})
        empty = render_to_string("sharing/shared_with_me.html", {"rows": share_rows(pia, [])})
        ours = rows.html()
    assert ours == former
    assert "&lt;b&gt;&amp;&#x27;&quot;" in former and "&lt;s&gt;, a &amp; b" in former
    assert ("May contribute" if language == "en" else "Mag bijdragen") in former
    assert f"<tbody>\n  {former}\n  </tbody>" in page
    assert "<tbody>\n  \n    <tr><td colspan=\"5\">" in empty
