"""The Sharing section writes its table rows and the share form's inputs in Python
(cases.sharing.rows; the form through shelter.form_renderer): the same HTML, byte for byte, as the
template loop and Django's widget templates they replace, in English and Dutch, with every
value escaped; and as many queries for a case with two shares as for one with twelve."""

from __future__ import annotations

import datetime

import pytest
from django.forms.renderers import DjangoTemplates
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from cases.sharing import grants
from cases.sharing.forms import ShareGrantForm
from cases.sharing.labels import section_label
from cases.sharing.models import CaseShare
from cases.sharing.services import share_revoke
from shelter.accounts.models import Organisation
from shelter.accounts.roles import Role
from shelter.form_renderer import QuickRenderer
from tests.factories import make_share, make_user, sent_queries

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & \'co\''

# The loop of sharing/sharing.html before it was written in Python; the view attached
# `section_labels` to each share (a model instance with its grantees).
OLD_ROWS = """{% load i18n shares %}  <tbody>
  {% for share in shares %}
    <tr>
      <th scope="row">{% if share.grantee_user %}{{ share.grantee_user.full_name }}{% else %}{{ share.grantee_organisation.name }}{% endif %}</th>
      <td>{{ share.section_labels|join:", " }}</td>
      <td>{{ share.get_mode_display }}</td>
      <td>{{ share.expires_at|last_day|date:"DATE_FORMAT" }}</td>
      <td>{% if share.revoked_at %}{% translate "Revoked" %}{% elif share.is_active %}{% translate "Active" %}{% else %}{% translate "Expired" %}{% endif %}{% if share.is_override %} · {% translate "coordinator override" %}{% endif %}</td>
      <td>{% if share.is_active %}<a class="button button--danger" href="{% url 'cases:share_revoke' case.pk share.pk %}">{% translate "Revoke" %}<span class="visually-hidden"> {% if share.grantee_user %}{{ share.grantee_user.full_name }}{% else %}{{ share.grantee_organisation.name }}{% endif %}</span></a>{% endif %}</td>
    </tr>
  {% empty %}
    <tr><td colspan="6">{% translate "This case is not shared." %}</td></tr>
  {% endfor %}
  </tbody>"""  # noqa: E501 (the template's lines as they were)
NEW_ROWS = """{% load i18n shares %}  <tbody>
  {% share_rows case.pk shares %}{% if not shares %}
    <tr><td colspan="6">{% translate "This case is not shared." %}</td></tr>
  {% endif %}
  </tbody>"""


def _render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_the_template_in_the_page_is_the_one_compared_here():
    with open("cases/sharing/templates/sharing/sharing.html", encoding="utf-8") as page:
        text = page.read()
    assert NEW_ROWS.split("<tbody>\n", 1)[1].split("\n  </tbody>")[0] in text


@pytest.fixture
def shares(case, carla, pia, paul):
    """Active, revoked, expired, by override, to a person and to an organisation, with
    hostile names."""
    pia.full_name = HOSTILE
    pia.save(update_fields=["full_name"])
    hostile_org = Organisation.objects.create(name=HOSTILE, kind=Organisation.Kind.OTHER)
    make_user("member@example.org", Role.PARTNER, hostile_org)
    made = [make_share(case, carla, user=pia, sections=["basic", "identity", "housing"]),
            make_share(case, carla, organisation=hostile_org, mode="contribute", days=3,
                       sections=["basic", "documents.medical", "notes.security"]),
            make_share(case, carla, user=paul, consent=False),
            make_share(case, carla, user=paul, days=90)]
    share_revoke(share=made[3], acting_user=carla, reason="")
    CaseShare.objects.filter(pk=made[2].pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=2))
    CaseShare.objects.filter(pk=made[3].pk).update(sections=["basic", "a former section"])
    return made


def _old_shares(case):
    """The shares as the view gave them to the old template."""
    shares = list(CaseShare.objects.filter(case=case)
                  .select_related("grantee_user", "grantee_organisation", "granted_by",
                                  "revoked_by")
                  .order_by("revoked_at", "-expires_at"))
    for share in shares:
        share.section_labels = [section_label(s) for s in share.sections]
    return shares


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_share_rows_are_the_templates(language, case, shares):
    with translation.override(language):
        new = _render(NEW_ROWS, case=case, shares=grants.case_shares(case))
        assert new == _render(OLD_ROWS, case=case, shares=_old_shares(case))
        assert _render(NEW_ROWS, case=case, shares=[]) == _render(OLD_ROWS, case=case,
                                                                  shares=[])
    assert "<script>" not in new and new.count("&lt;script&gt;alert(&quot;x&quot;)") == 4
    assert new.count("button--danger") == 2  # the two active shares
    assert [s["pk"] for s in grants.case_shares(case)] == [s.pk for s in _old_shares(case)]


# --- the form's inputs ------------------------------------------------------------------------
def _form_html(form) -> str:
    """What the share form's template takes from the form: every field, each checkbox's tag,
    each field as a hidden input (the confirmation page)."""
    parts = [str(form[name]) for name in form.fields]
    parts += [option.tag() for option in form["sections"]]
    parts += [form[name].as_hidden() for name in form.fields]
    return "\n".join(parts)


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("coordinator", [True, False])
@pytest.mark.parametrize("bound", [True, False])
def test_the_form_is_written_as_djangos_widget_templates_write_it(language, coordinator, bound,
                                                                   carla, olaf, pia):
    pia.full_name = HOSTILE
    pia.save(update_fields=["full_name"])
    data = {"grantee": f"user:{pia.pk}", "sections": ["identity", "notes.medical"],
            "mode": "read", "expires_on": HOSTILE, "reason": f"{HOSTILE}\n\nline",
            "consent_on": "", "override_reason": mark_safe("<b>x</b>")}  # noqa: S308 (a test)
    with translation.override(language):
        def form(renderer):
            made = ShareGrantForm(data if bound else None, renderer=renderer,
                                  acting_user=carla if coordinator else olaf)
            made.is_valid() if bound else None
            return made

        quick = _form_html(form(None))
        assert ShareGrantForm(acting_user=olaf).renderer.__class__ is QuickRenderer
        assert quick == _form_html(form(DjangoTemplates()))
    if bound:
        assert "<script>" not in quick and "&lt;script&gt;alert(&quot;x&quot;)" in quick


# --- queries ----------------------------------------------------------------------------------
def test_twelve_shares_read_as_many_statements_as_two(as_fresh_user, carla, pia, paul, case):
    from tests.factories import make_case

    plover = make_case(carla, code_name="Plover", officer=case.assigned_officer)
    for shared, count in ((case, 2), (plover, 12)):
        for i in range(count):
            share = make_share(shared, carla, user=pia if i % 2 else paul, days=10 + i)
            if i % 3 == 0:
                share_revoke(share=share, acting_user=carla, reason="")
    client = as_fresh_user(carla)

    def sql(shared):
        url = reverse("cases:sharing", args=[shared.pk])
        assert client.get(url).status_code == 200
        return sent_queries(lambda: client.get(url))

    few, many = sql(case), sql(plover)
    assert len(few) == len(many)
    assert sum('FROM "cases_caseshare"' in s for s in many) == 1
    # The table reads no sealed field and no granting or revoking user.
    [table] = [s for s in many if 'FROM "cases_caseshare"' in s]
    assert '"reason"' not in table and "granted_by" not in table and "revoked_by" not in table
