"""Template filters for shares."""

from __future__ import annotations

import datetime

from django import template
from django.utils.safestring import SafeString

from cases.sharing import rows

register = template.Library()


@register.filter
def last_day(expires_at: datetime.datetime | None) -> datetime.date | None:
    """A share stored as expiring at midnight after 3 May holds through 3 May: show 3 May."""
    return None if expires_at is None else rows.last_day(expires_at)


@register.simple_tag
def share_rows(case_id, shares) -> SafeString:
    """The rows of a case's Sharing table (`grants.case_shares`), see cases.sharing.rows."""
    return rows.share_rows(case_id, shares)
