"""One form field with its label, marker, help and errors, written in Python: `{% form_field %}`.

`includes/form.html` wrote each field through three included templates (the field, its
"(optional)" marker, its help and errors), a few hundred calls a field. `field_html` writes
the same characters: every value passes through `conditional_escape` as the template's `{{ }}`
did, and the widget is the bound field's own rendering (`shelter.form_renderer`).
tests/test_form_fields.py compares it with the templates it replaced, in English and Dutch.
"""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


def _e(value: object) -> str:
    return conditional_escape(value if isinstance(value, str) else str(value))


def _marker(field: BoundField) -> str:
    """The label's marker: the condition of a conditionally required field, or "(optional)"."""
    when = getattr(field.field, "required_when", None)
    if when:
        return f' <span class="field__optional">({_e(when)})</span>'
    if not field.field.required:
        return f' <span class="field__optional">({_e(gettext("optional"))})</span>'
    return ""


def _notes(field: BoundField, errors: object) -> str:
    """Help text and errors, each with the id the widget's aria-describedby names."""
    parts = []
    if field.help_text:
        parts.append(f'<p class="field__help" id="{_e(field.auto_id)}_helptext">'
                     f"{_e(field.help_text)}</p>")
    if errors:
        listed = "".join(f"<p>{_e(error)}</p>" for error in errors)
        parts.append(f'<div class="field__error" id="{_e(field.auto_id)}_error">{listed}</div>')
    return "".join(parts) + "\n"


def field_html(field: BoundField) -> SafeString:
    """What the field template wrote for `field` (a checkbox, a group in a fieldset, or a
    labelled widget)."""
    errors = field.errors
    invalid = " field--invalid" if errors else ""
    widget = _e(field)
    if field.widget_type == "checkbox":
        html = (f'\n<div class="field{invalid}">\n  {_notes(field, errors)}\n'
                f'  <div class="field__check">{widget} <label for="{_e(field.id_for_label)}">'
                f"{_e(field.label)}</label></div>\n</div>\n")
    elif field.use_fieldset:
        described = field.aria_describedby
        described = f' aria-describedby="{_e(described)}"' if described else ""
        html = (f'\n<fieldset class="field field--group{invalid}"{described}>\n'
                f'  <legend class="field__label">{_e(field.label)}{_marker(field)}</legend>\n'
                f"  {_notes(field, errors)}\n  {widget}\n</fieldset>\n")
    else:
        html = (f'\n<div class="field{invalid}">\n'
                f'  <label class="field__label" for="{_e(field.id_for_label)}">'
                f"{_e(field.label)}{_marker(field)}</label>\n"
                f"  {_notes(field, errors)}\n  {widget}\n</div>\n")
    # Every value above went through conditional_escape; the rest is this module's markup.
    return mark_safe(html + "\n")  # noqa: S308 (built from escaped parts only)


@register.simple_tag
def form_field(field: BoundField) -> SafeString:
    return field_html(field)
