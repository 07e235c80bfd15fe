"""`{% form_field %}` writes what the three field templates it replaced wrote (kept here, as
they were), in English and Dutch, with hostile labels, help texts and errors escaped."""

from __future__ import annotations

import pytest
from django import forms
from django.template import Context, Engine
from django.utils import translation

from shelter.forms import DateInput, QuickSelect, required_when

# includes/field.html, field_marker.html and field_notes.html as they were.
FIELD = """{% load i18n %}{% if field.widget_type == "checkbox" %}
<div class="field{% if field.errors %} field--invalid{% endif %}">
  {% include "includes/field_notes.html" %}
  <div class="field__check">{{ field }} <label for="{{ field.id_for_label }}">{{ field.label }}</label></div>
</div>
{% elif field.use_fieldset %}
<fieldset class="field field--group{% if field.errors %} field--invalid{% endif %}"{% if field.aria_describedby %} aria-describedby="{{ field.aria_describedby }}"{% endif %}>
  <legend class="field__label">{{ field.label }}{% include "includes/field_marker.html" %}</legend>
  {% include "includes/field_notes.html" %}
  {{ field }}
</fieldset>
{% else %}
<div class="field{% if field.errors %} field--invalid{% endif %}">
  <label class="field__label" for="{{ field.id_for_label }}">{{ field.label }}{% include "includes/field_marker.html" %}</label>
  {% include "includes/field_notes.html" %}
  {{ field }}
</div>
{% endif %}
"""  # noqa: E501
MARKER = """{% load i18n %}{% if field.field.required_when %} <span class="field__optional">({{ field.field.required_when }})</span>{% elif not field.field.required %} <span class="field__optional">({% translate "optional" %})</span>{% endif %}"""  # noqa: E501
NOTES = """{% if field.help_text %}<p class="field__help" id="{{ field.auto_id }}_helptext">{{ field.help_text }}</p>{% endif %}{% if field.errors %}<div class="field__error" id="{{ field.auto_id }}_error">{% for error in field.errors %}<p>{{ error }}</p>{% endfor %}</div>{% endif %}
"""  # noqa: E501

ENGINE = Engine(loaders=[("django.template.loaders.locmem.Loader", {
    "includes/field.html": FIELD, "includes/field_marker.html": MARKER,
    "includes/field_notes.html": NOTES})], libraries={
    "form_fields": "shelter.form_fields", "i18n": "django.templatetags.i18n"})
OLD = ENGINE.from_string('{% for field in form %}{% include "includes/field.html" %}{% endfor %}')
NEW = ENGINE.from_string("{% load form_fields %}{% for field in form %}{% form_field field %}"
                         "{% endfor %}")
HOSTILE = '<b>"Tom & Jerry\'s"</b>'


class EveryKindForm(forms.Form):
    name = forms.CharField(label=HOSTILE, help_text=HOSTILE, max_length=3)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)
    day = forms.DateField(label="Day", required=False, widget=DateInput())
    agree = forms.BooleanField(label="I agree & <consent>", help_text="Tick it")
    later = forms.BooleanField(label="Later", required=False)
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A"), ("b", HOSTILE)],
                             widget=QuickSelect)
    colour = forms.ChoiceField(label="Colour", choices=[("r", "Red"), ("g", "Green")],
                               widget=forms.RadioSelect, help_text="One of them")
    parts = forms.MultipleChoiceField(label="Parts", required=False,
                                      choices=[("x", "X"), ("y", HOSTILE)],
                                      widget=forms.CheckboxSelectMultiple)
    reason = required_when(forms.CharField(label="Reason"), "required for <override>")
    secret = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        self.add_error("reason", HOSTILE)
        return super().clean()


def _forms():
    from cases.forms import ActivityForm, DocumentUploadForm, NoteForm, TaskForm  # noqa: F401

    bad = {"name": "toolong", "day": "32-13-2020", "colour": "z", "parts": ["q"], "kind": "zz"}
    return [EveryKindForm(), EveryKindForm(bad), EveryKindForm(auto_id=False),
            EveryKindForm({"name": "ok", "agree": "on", "colour": "r", "reason": "x"}),
            ActivityForm(), ActivityForm({"title": HOSTILE, "day": "x", "starts": "9"}),
            DocumentUploadForm(), DocumentUploadForm({"category": "nope"})]


@pytest.mark.parametrize("language", ["en", "nl"])
def test_form_field_writes_what_the_field_templates_wrote(language):
    with translation.override(language):
        for form in _forms():
            form.is_bound and form.is_valid()
            old, new = OLD.render(Context({"form": form})), NEW.render(Context({"form": form}))
            assert new == old


def test_hostile_labels_help_and_errors_are_escaped():
    form = EveryKindForm({"name": "toolong"})
    form.is_valid()
    html = NEW.render(Context({"form": form}))
    assert "<b>" not in html and "<consent>" not in html and "<override>" not in html
    assert "&lt;b&gt;&quot;Tom &amp; Jerry&#x27;s&quot;&lt;/b&gt;" in html
