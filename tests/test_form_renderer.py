"""QuickRenderer writes each widget exactly as Django's templates write it."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe

from cases.forms import ActivityForm, DocumentUploadForm, TaskForm
from shelter.form_renderer import QuickRenderer
from shelter.forms import DateInput

HOSTILE = '<b>"Tom & Jerry\'s"</b>'
ATTRS = [{}, {"id": "id_f", "required": True, "disabled": False, "class": HOSTILE,
              "aria-describedby": "h", "data-n": 3, "title": mark_safe("<i>ok</i>")}]
CHOICES = [("", "—"), (1, "A & B"), (2, HOSTILE), (HOSTILE, [(3, "x"), ("4", "y")]),
           (2, "the same value again")]
WIDGETS = [forms.TextInput(), forms.NumberInput(), forms.EmailInput(), forms.PasswordInput(),
           forms.HiddenInput(), forms.CheckboxInput(), forms.FileInput(), forms.URLInput(),
           forms.TimeInput(), forms.DateInput(), DateInput(), forms.Textarea(),
           forms.Textarea(attrs={"rows": 3}), forms.Select(choices=CHOICES),
           forms.SelectMultiple(choices=CHOICES), forms.ClearableFileInput()]


class StoredFile:
    """A value with an address, as a ClearableFileInput's initial file."""

    url = "/files/x&y.pdf"

    def __str__(self):
        return "x&y <1>.pdf"


VALUES = [StoredFile(), None, "", HOSTILE, mark_safe("<em>safe</em>"), 2, "3", [1, "3"], True,
          False, datetime.date(2027, 1, 5), datetime.time(9, 30)]


def _both(widget, value, attrs):
    ours = widget.render("f", value, dict(attrs), renderer=QuickRenderer())
    django = widget.render("f", value, dict(attrs), renderer=DjangoTemplates())
    return ours, django


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: type(w).__name__)
def test_every_widget_is_written_as_djangos_template_writes_it(widget, attrs, language):
    with translation.override(language):
        for value in VALUES:
            ours, django = _both(widget, value, attrs)
            assert ours == django, (value, ours, django)


def test_hostile_values_are_escaped():
    ours, _django = _both(forms.TextInput(), HOSTILE, {"title": HOSTILE})
    assert "<b>" not in ours and "&lt;b&gt;&quot;Tom &amp; Jerry&#x27;s&quot;" in ours
    ours, _django = _both(forms.Select(choices=CHOICES), 2, {})
    assert "<b>" not in ours and "&lt;b&gt;" in ours


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_case_sections_forms_are_the_same_html(language, olaf):
    from cases.selectors import officers

    with translation.override(language):
        for form in (ActivityForm(), ActivityForm({"title": HOSTILE, "day": "x"}),
                     DocumentUploadForm(), TaskForm(owners=officers()),
                     TaskForm({"title": HOSTILE, "owner": olaf.pk}, owners=officers())):
            form.is_bound and form.is_valid()
            for field in form:
                ours = field.as_widget()
                form.renderer = DjangoTemplates()
                django = field.as_widget()
                form.renderer = QuickRenderer()
                assert ours == django
