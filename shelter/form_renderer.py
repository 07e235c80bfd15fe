"""The form renderer (`FORM_RENDERER`): Django's, with its most common widgets written in Python.

Django renders every widget through the template engine: an `<input>` is input.html including
attrs.html, a `<select>` one more template per option. A form of seven fields cost more than a
whole page of navigation (measured in bench/bench_pages.py on the case sections). Here the
templates of the `<input>` family, `<textarea>` and `<select>` are written as Python functions
that give the very same characters, from the context the widget already built (its value
formatted, its attributes, its options), and every value is escaped as the template's `{{ }}`
escapes it. Any other template (or one a project overrides) still goes through the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData
from django.utils.timezone import template_localtime

WIDGETS = "django/forms/widgets/"
SELECT_OPTION = WIDGETS + "select_option.html"


def _text(value: Any) -> str:
    """`{{ value }}`: localised as a template localises it, then escaped unless safe."""
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def _formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: the value as text, escaped unless it was safe."""
    text = str(value)
    return text if isinstance(value, SafeData) else conditional_escape(text)


def _attrs(attrs: dict[str, Any]) -> str:
    """attrs.html: ` name="value"` each, ` name` for True, nothing for False."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in attrs.items() if value is not False)


def _input(widget: dict[str, Any]) -> str:
    """input.html (text, date, time, number, e-mail, password, hidden, file, checkbox …)."""
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return (f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
            f'{_attrs(widget["attrs"])}>')


def _file(widget: dict[str, Any]) -> str | None:
    """clearable_file_input.html for a field without a stored file (the engine writes the
    "currently: …, clear" part of one that has)."""
    if widget["is_initial"]:
        return None
    return (f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
            f'{_attrs(widget["attrs"])}>')


def _option_input(widget: dict[str, Any]) -> str | None:
    """input_option.html of one checkbox or radio shown on its own (`{{ option.tag }}`, no
    label around it); a wrapped option (None) is left to the engine."""
    return None if widget.get("wrap_label") else _input(widget)


def _textarea(widget: dict[str, Any]) -> str:
    value = widget["value"]
    return (f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
            f'{_text(value) if value else ""}</textarea>')


def _select(widget: dict[str, Any]) -> str | None:
    """select.html with select_option.html per option; None if an option has a template of
    its own (the engine renders that select)."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != SELECT_OPTION:
                return None
            parts.append(f'\n  <option value="{_formatted(option["value"])}"'
                         f'{_attrs(option["attrs"])}>{_text(option["label"])}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


WRITERS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    **{f"{WIDGETS}{name}.html": _input
       for name in ("input", "text", "date", "time", "datetime", "number", "email", "url",
                    "password", "hidden", "search", "tel", "color", "file", "checkbox")},
    f"{WIDGETS}clearable_file_input.html": _file,
    f"{WIDGETS}checkbox_option.html": _option_input,
    f"{WIDGETS}radio_option.html": _option_input,
    f"{WIDGETS}textarea.html": _textarea,
    f"{WIDGETS}select.html": _select,
}


class QuickRenderer(DjangoTemplates):
    """Django's template renderer, with the widgets of WRITERS written in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        writer = WRITERS.get(template_name)
        written = writer(context["widget"]) if writer is not None else None
        if written is None:
            return super().render(template_name, context, request)
        return written.strip()
