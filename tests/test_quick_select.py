"""QuickSelect writes the very element Django's Select writes, without a template per option."""

from __future__ import annotations

import copy
import re

import pytest
from django import forms

from shelter.forms import Listed, QuickSelect

CHOICES = [("", "—"), (1, "A & B"), (2, "C<d>\"e\""), ("Group <g>", [(3, "x"), (4, "y")]),
           (2, "the same value again"), ("x<y", "a text value")]


def _normal(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip().replace("\n", ""))


@pytest.mark.parametrize("value", [None, "", 2, "3", "missing", [1], "x<y"])
@pytest.mark.parametrize("attrs", [{}, {"id": "id_f", "required": True, "aria-describedby": "h",
                                        "disabled": False}])
def test_the_same_html_as_djangos_select(value, attrs):
    ours = QuickSelect(choices=CHOICES).render("f", value, dict(attrs))
    django = forms.Select(choices=CHOICES).render("f", value, dict(attrs))
    assert _normal(ours) == _normal(django)
    assert "<d>" not in ours and "&lt;d&gt;" in ours  # labels escaped


def test_a_multiple_select_marks_every_chosen_option():
    ours = QuickSelect(choices=CHOICES)
    ours.allow_multiple_selected = True
    django = forms.SelectMultiple(choices=CHOICES)
    assert _normal(ours.render("f", ["1", "3"])) == _normal(django.render("f", ["1", "3"]))


def test_listed_choices_are_kept_and_written_as_djangos_select_writes_them():
    listed = Listed(CHOICES)
    ours = QuickSelect()
    ours.choices = listed
    copied = copy.deepcopy(ours)  # as every form instance copies its fields' widgets
    # Kept as given, not normalised into a new list of pairs.
    assert ours.choices is listed
    assert isinstance(copied.choices, Listed) and copied.choices.choices is CHOICES
    django = forms.Select(choices=CHOICES)
    assert _normal(ours.render("f", "2")) == _normal(django.render("f", "2"))


@pytest.mark.django_db
def test_a_filter_form_offers_its_lists_without_normalising_them(monkeypatch):
    from django.forms import widgets

    from shelter.audit.forms import EventFilterForm

    calls = []
    real = widgets.normalize_choices
    monkeypatch.setattr(widgets, "normalize_choices",
                        lambda value, *a, **k: calls.append(value) or real(value, *a, **k))
    form = EventFilterForm()
    assert form.fields["actor"].widget.choices[0] == ("", "---------")
    assert all(not isinstance(value, list) or len(value) < 20 for value in calls)
