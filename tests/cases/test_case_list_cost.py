"""The case list costs the same number of queries for 3 cases as for 30, and its filter form
writes the very <select> elements Django's templates wrote, from lists read once."""

from __future__ import annotations

import datetime
import re

import pytest
from django import forms
from django.urls import reverse

from cases import selectors
from cases.forms import CaseFilterForm
from cases.models import Case, Defender, IntakeRound
from shelter.accounts.roles import Role
from tests.factories import make_user, sent_queries

AUDIT_INSERT = 'INSERT INTO "audit_auditevent"'


def bulk_cases(n: int, prefix: str, **values) -> list[Case]:
    defenders = Defender.objects.bulk_create(
        [Defender(code_name=f"{prefix}{i}", country_of_activity="KE") for i in range(n)])
    return Case.objects.bulk_create([Case(defender=d, **values) for d in defenders])


def list_queries(client, query: str = "") -> tuple[list[str], str]:
    """The list's statements apart from the access log's INSERT of its lines (one statement
    per page, two on SQLite for a long page: it takes at most 999 parameters)."""
    answer = {}
    sent = sent_queries(lambda: answer.update(
        response=client.get(reverse("cases:list") + query)))
    assert answer["response"].status_code == 200
    return [sql for sql in sent if not sql.startswith(AUDIT_INSERT)], \
        answer["response"].content.decode()


@pytest.mark.parametrize("query", ["", "?stage=nominated&sort=-code_name"])
def test_the_list_costs_the_same_for_3_and_30_cases(as_user, carla, olaf, query):
    client = as_user(carla)
    IntakeRound.objects.create(name="2027 spring", opens_on=datetime.date(2027, 1, 1),
                               closes_on=datetime.date(2027, 2, 1))
    bulk_cases(3, "Wren", assigned_officer=olaf)
    few, page = list_queries(client, query)
    assert len(re.findall(r'<th scope="row">', page)) == 3
    bulk_cases(27, "Ibis", assigned_officer=olaf)
    for i in range(5):  # more people and rounds to choose from cost nothing either
        make_user(f"officer{i}@example.org", Role.CASE_OFFICER, carla.organisation)
        IntakeRound.objects.create(name=f"round {i}", opens_on=datetime.date(2026, 1, i + 1),
                                   closes_on=datetime.date(2026, 2, 1))
    many, page = list_queries(client, query)
    assert len(re.findall(r'<th scope="row">', page)) == 30
    assert len(few) == len(many)
    # One query for each choice list (officers, rounds), none per option; no cursor.
    assert sum('FROM "cases_intakeround"' in sql for sql in many) == 1
    assert not any("DECLARE" in sql for sql in many)


def django_select(form: CaseFilterForm, name: str) -> str:
    """The field as Django's template-rendered Select writes it, with the field's own choices
    (the queryset's iterator for a model field)."""
    field = form.fields[name]
    field.widget = forms.Select(choices=field.choices)
    return str(form[name])


@pytest.mark.parametrize("data", [None, {"stage": "accepted"}, "officer", "round"])
def test_the_filter_selects_are_djangos_html(carla, olaf, otto, data):
    spring = IntakeRound.objects.create(name="Spring <&>", opens_on=datetime.date(2027, 3, 1),
                                        closes_on=datetime.date(2027, 4, 1))
    IntakeRound.objects.create(name="Winter", opens_on=datetime.date(2026, 12, 1),
                               closes_on=datetime.date(2027, 1, 1))
    data = ({"officer": str(otto.pk)} if data == "officer" else
            {"intake_round": str(spring.pk)} if data == "round" else data)
    for name in ("stage", "officer", "intake_round"):
        ours = str(CaseFilterForm(data, officers=selectors.officers())[name])
        theirs = django_select(CaseFilterForm(data, officers=selectors.officers()), name)
        assert re.sub(r">\s+<", "><", ours) == re.sub(r">\s+<", "><", theirs.replace("\n", ""))
        assert "<&>" not in ours
    assert 'selected>' in ours or data is None or "stage" in data


def test_a_submitted_officer_is_still_checked(carla, olaf, aud):
    assert CaseFilterForm({"officer": str(olaf.pk)}, officers=selectors.officers()).is_valid()
    refused = CaseFilterForm({"officer": str(aud.pk)}, officers=selectors.officers())
    assert not refused.is_valid() and "officer" in refused.errors
