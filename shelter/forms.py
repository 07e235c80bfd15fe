"""Forms whose fields come from their model: each field is declared once, on the model.

`ModelValuesForm` builds its fields from `Meta.model` and `Meta.fields` the way a ModelForm
does: label (the verbose name), help text, maximum length, choices and whether a value is
required all come from the model field. The house conventions are applied on the way:

- dates are typed the way the page's language writes them (`DateInput`);
- free text (an encrypted text field) is a three-row text area of at most 5,000 characters;
- an empty choice reads "—".

`Meta.labels`, `Meta.help_texts`, `Meta.widgets` and `Meta.field_classes` say where a form
words or checks a field differently; a declared form field replaces the model's where the form
shapes the value itself (a JSON value edited as lines of text, say).

Unlike a ModelForm the form never touches a model instance: it validates and shapes values,
and the service assigns and saves them (with its audit record). An instance only supplies the
initial values (`initial_for`). So an invalid form leaves the instance shown around it as it was
loaded, and the model's own validation (uniqueness included) is left to the clean methods, which
word it for people.

Two conventions the shared include (`includes/form.html`) understands, for any form:

- `required_when(field, condition)`: a field the form requires only under a condition its
  `clean()` checks. The label says the condition ("required for a new defender") instead of
  "(optional)", so the page never calls a field optional that may be refused as missing.
- `Fieldsets`: a form with `fieldsets = [(legend, [field names]), ...]` is rendered as one
  `<fieldset>` with its `<legend>` per group; fields it does not name follow, ungrouped.
"""

from __future__ import annotations

import copy
import html
from collections.abc import Iterator
from typing import Any

from django import forms
from django.db import models
from django.forms.models import ModelFormMetaclass, model_to_dict
from django.utils.choices import BaseChoiceIterator
from django.utils.formats import get_format
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shelter.crypto.api import withhold_fields
from shelter.crypto.fields import (
    EncryptedCharField,
    EncryptedDateField,
    EncryptedField,
    EncryptedTextField,
)

TEXT_MAX_LENGTH = 5000


def date_pattern() -> str:
    """How the active language types a date, from its first DATE_INPUT_FORMATS entry
    (shelter/formats): "dd-mm-jjjj" in Dutch, "dd/mm/yyyy" in English."""
    pattern = get_format("DATE_INPUT_FORMATS")[0]
    return (pattern.replace("%d", pgettext("date pattern", "dd"))
            .replace("%m", pgettext("date pattern", "mm"))
            .replace("%Y", pgettext("date pattern", "yyyy")))


class DateInput(forms.DateInput):
    """A date typed in the page's language: "05-01-2027" on the Dutch page, "05/01/2027" on
    the English one (ISO 2027-01-05 is accepted too). Not `<input type=date>`: browsers draw
    that in the browser's locale, whatever the page's language. The value is shown in the
    active language's first input format; a placeholder and a hint after the field (linked
    with aria-describedby) give the pattern."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        kwargs.pop("format", None)  # always the active language's format
        super().__init__(attrs=attrs, **kwargs)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs.setdefault("placeholder", date_pattern())
        widget_attrs.setdefault("autocomplete", "off")
        widget_attrs["class"] = f"{widget_attrs.get('class', '')} input--date".strip()
        if widget_attrs.get("id"):
            described = widget_attrs.get("aria-describedby", "")
            widget_attrs["aria-describedby"] = f"{described} {widget_attrs['id']}_format".strip()
        return context

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        html = super().render(name, value, attrs, renderer)
        field_id = (attrs or {}).get("id") or self.attrs.get("id")
        if not field_id:
            return html
        return format_html('{}<span class="field__format" id="{}_format">{}</span>', html,
                           field_id, _("Day, month, year: %(pattern)s") % {
                               "pattern": date_pattern()})


def _escape(text: Any) -> str:
    """Django's conditional_escape without its lazy-string wrappers (a few hundred labels a
    page): safe strings as they are, everything else through html.escape."""
    if isinstance(text, Promise):
        text = str(text)
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))


class Listed(BaseChoiceIterator):
    """Choices already in Django's form ((value, label) pairs, and (group, pairs)), read once
    a request from the database: people, organisations, rounds. Django keeps a choice
    iterator as it is, for the field and for its widget, where a list is normalised again,
    pair by pair, whenever it is set or a form instance copies its fields (a few hundred
    calls a page for a list of people)."""

    def __init__(self, choices: list) -> None:
        self.choices = choices

    def __iter__(self) -> Iterator[Any]:
        return iter(self.choices)


class QuickSelect(forms.Select):
    """A `<select>` written in Python: the same element Django's templates write (attributes,
    options, optgroups, the first matching option selected), without a template render per
    option. A filter with a few hundred people or actions costs one loop instead of a few
    hundred template renders (measured in bench/bench_pages.py). Values, labels and
    attributes are escaped as Django escapes them (`html.escape`, `conditional_escape`).

    Give it precomputed choices (a list of pairs from one `values_list` query, as `Listed`)
    rather than a queryset: a ModelChoiceField's choice iterator opens a server-side cursor on
    PostgreSQL.
    """

    def __deepcopy__(self, memo: dict) -> QuickSelect:
        # Every form instance copies its widgets; Django's copy sets `choices` again, which
        # normalises them again. They were normalised when first given.
        widget = copy.copy(self)
        widget.attrs = self.attrs.copy()
        widget._choices = copy.copy(self._choices)
        memo[id(self)] = widget
        return widget

    def render(self, name: str, value: Any, attrs: dict | None = None,
               renderer: Any = None) -> SafeString:
        final = {"name": name, **self.build_attrs(self.attrs, attrs)}
        if self.allow_multiple_selected:
            final["multiple"] = True
        wanted = set(self.format_value(value))
        taken, multiple, escape = False, self.allow_multiple_selected, html.escape

        def option(option_value: Any, label: Any) -> str:
            # html.escape is what Django's escape() calls, without its lazy-string wrapper;
            # a plain string label (a name from the database) goes to it directly, and an
            # integer value (an id, an action's number) is its digits, nothing to escape.
            nonlocal taken
            if type(option_value) is int:
                text = shown_value = str(option_value)
            else:
                text = "" if option_value is None else str(option_value)
                shown_value = escape(text)
            selected = ""
            if text in wanted and (multiple or not taken):
                taken, selected = True, " selected"
            shown = escape(label) if type(label) is str else _escape(label)
            return f'<option value="{shown_value}"{selected}>{shown}</option>'

        parts = []
        for group_value, group_label in self.choices:
            if isinstance(group_label, list | tuple):
                inner = "".join(option(v, label) for v, label in group_label)
                parts.append(f'<optgroup label="{html.escape(str(group_value))}">{inner}'
                             "</optgroup>")
            else:
                parts.append(option(group_value, group_label))
        attributes = SafeString("".join(
            format_html(" {}", key) if given is True else format_html(' {}="{}"', key, given)
            for key, given in final.items() if given is not None and given is not False))
        return format_html("<select{}>{}</select>", attributes, SafeString("".join(parts)))


def required_when(field: forms.Field, condition: Any) -> forms.Field:
    """Mark `field` as required only when `condition` (a short lower-case phrase) holds; the
    form's `clean()` enforces it and the label shows the condition."""
    field.required = False
    field.required_when = condition
    return field


class Fieldsets:
    """Mixin for forms: `fieldsets` names groups of fields, each shown in a fieldset."""

    fieldsets: list[tuple[Any, list[str]]] = []

    def fieldset_groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """(legend, bound fields) per group in `fieldsets` order, then (None, the rest)."""
        rest = {field.name: field for field in self.visible_fields()}
        groups = []
        for legend, names in self.fieldsets:
            fields = [rest.pop(name) for name in names if name in rest]
            if fields:
                groups.append((legend, fields))
        if rest:
            groups.append((None, list(rest.values())))
        return groups


def editable_field_names(model: type[models.Model]) -> list[str]:
    """The fields people set (through a form and a service), in declaration order: concrete
    and editable, so not the primary key, the timestamps or the blind indexes."""
    return [field.name for field in model._meta.concrete_fields if field.editable]


def encrypted_field_names(model: type[models.Model]) -> frozenset[str]:
    return frozenset(field.name for field in model._meta.concrete_fields
                     if isinstance(field, EncryptedField))


def form_field(model_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """The form field for `model_field`, with the conventions above (Meta's words win)."""
    if isinstance(model_field, models.DateField | EncryptedDateField) and not isinstance(
            model_field, models.DateTimeField):
        kwargs.setdefault("widget", DateInput())
    elif isinstance(model_field, EncryptedTextField) and not isinstance(model_field,
                                                                        EncryptedCharField):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        kwargs.setdefault("max_length", model_field.max_length or TEXT_MAX_LENGTH)
    field = model_field.formfield(**kwargs)
    if isinstance(field, forms.TypedChoiceField) and field.choices and \
            field.choices[0] == models.BLANK_CHOICE_DASH[0]:
        field.choices = [("", "—"), *field.choices[1:]]
    return field


class ModelValuesForm(forms.BaseForm, metaclass=ModelFormMetaclass):
    """Fields from `Meta.model` (see the module docstring); `service_values()` for the service.

    Values that failed their integrity check are shown withheld and left out of what the
    service gets (`withheld`), so what is stored stays as it is.
    """

    class Meta:
        formfield_callback = form_field

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.withheld = withhold_fields(self)

    @classmethod
    def initial_for(cls, instance: models.Model) -> dict[str, Any]:
        """The form's initial values from a stored `instance`."""
        return model_to_dict(instance, fields=cls._meta.fields)

    def service_values(self) -> dict[str, Any]:
        """The cleaned values of the model's fields, as services take them: an empty encrypted
        value is None (nothing is stored), withheld values are left out."""
        model_fields = set(editable_field_names(self._meta.model))
        encrypted = encrypted_field_names(self._meta.model)
        return {name: None if value == "" and name in encrypted else value
                for name, value in self.cleaned_data.items()
                if name in model_fields and name not in self.withheld}
