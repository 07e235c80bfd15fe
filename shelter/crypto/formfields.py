"""Forms over values that failed their integrity check: shown as withheld, never saved back.

A form built from stored values (``initial``) would otherwise render the withheld message in
an input and, on save, encrypt that message over the stored ciphertext: a silent loss of the
evidence and of the value. `withhold_fields` replaces each such field with a disabled
`WithheldField`, whose value is the `Withheld` marker whatever is posted; assigning that
marker to an encrypted field keeps the stored ciphertext. Forms also leave those names out of
what they hand to services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from shelter.crypto.integrity import is_withheld


class WithheldWidget(forms.Widget):
    """Shows the message instead of an input; nothing is posted."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> str:
        return format_html('<p class="withheld" id="{}">{}</p>', (attrs or {}).get("id", ""),
                           _("Integrity error, value withheld. It is kept as stored and "
                             "cannot be changed here."))

    def value_from_datadict(self, data: Any, files: Any, name: str) -> None:
        return None


class WithheldField(forms.Field):
    """A disabled field whose cleaned value is the `Withheld` marker it started with."""

    widget = WithheldWidget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, disabled=True, **kwargs)

    def clean(self, value: Any) -> Any:
        return value if is_withheld(value) else None

    def has_changed(self, initial: Any, data: Any) -> bool:
        return False


def withhold_fields(form: forms.BaseForm) -> frozenset[str]:
    """Make every field whose initial value is withheld a `WithheldField`; return the names."""
    names = frozenset(name for name, value in form.initial.items()
                      if name in form.fields and is_withheld(value))
    for name in names:
        form.fields[name] = WithheldField(label=form.fields[name].label)
    return names
