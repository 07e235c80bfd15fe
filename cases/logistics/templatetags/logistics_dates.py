"""`{{ value|sealed_date }}`: a sealed date of the logistics page, as `logistics/_date.html`
wrote it (an include per date, ten a traveller): a value withheld by its integrity check reads
as its message, a day as the page's language writes it, no day as "—". The page escapes the
result as it escaped the include's."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import date

register = template.Library()


@register.filter
def sealed_date(value: object) -> object:
    if getattr(value, "is_withheld", False):
        return value
    return date(value, "DATE_FORMAT") or "—"
