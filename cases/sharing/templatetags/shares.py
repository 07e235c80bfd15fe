"""Template filters for shares."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def last_day(expires_at: datetime.datetime | None) -> datetime.date | None:
    """A share stored as expiring at midnight after 3 May holds through 3 May: show 3 May."""
    if expires_at is None:
        return None
    return (timezone.localtime(expires_at) - datetime.timedelta(microseconds=1)).date()
