"""The rows of a case's Sharing table and of the partner's "Shared with me" list, written in
Python.

Each row of the template paid a `{% url %}`, a `get_mode_display`, the `last_day` filter and
a few `{% translate %}`. Here the revoke address is reversed once (`shelter.links`), the words
are translated once a table, and every value from the database passes through `html.escape`
(what Django's `escape` calls). The HTML, whitespace included, is the one the template wrote.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Iterable
from typing import Any

from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from cases.sharing.labels import section_label
from cases.sharing.models import CaseShare
from shelter.links import SAMPLE_UUID, link_maker

# A second UUID for the share's place in the revoke address (SAMPLE_UUID is the case's).
SAMPLE_SHARE = "00000000-0000-0000-0000-000000000001"


def _e(value: Any) -> str:
    return html.escape(str(value))


def last_day(expires_at: datetime.datetime) -> datetime.date:
    """A share stored as expiring at midnight after 3 May holds through 3 May: 3 May."""
    return (timezone.localtime(expires_at) - datetime.timedelta(microseconds=1)).date()


def share_rows(case_id: Any, shares: Iterable[dict]) -> SafeString:
    """The table rows of `shares` (`grants.case_shares`'s values) of case `case_id`: who, the
    sections, the mode, the last day, the status and, while active, the revoke link."""
    revoke_href = link_maker("cases:share_revoke", SAMPLE_UUID, SAMPLE_SHARE)
    modes = {value: _e(label) for value, label in CaseShare.Mode.choices}
    words = {key: _e(gettext(text)) for key, text in (
        ("revoked", "Revoked"), ("active", "Active"), ("expired", "Expired"),
        ("override", "coordinator override"), ("revoke", "Revoke"))}
    sections: dict[str, str] = {}
    days: dict[datetime.date, str] = {}
    now = timezone.now()
    rows = []
    for share in shares:
        name = _e(share["grantee_user__full_name"] if share["grantee_user_id"] is not None
                  else share["grantee_organisation__name"])
        for code in share["sections"]:
            if code not in sections:
                sections[code] = _e(section_label(code))
        day = last_day(share["expires_at"])
        if day not in days:
            days[day] = _e(formats.date_format(day, "DATE_FORMAT"))
        active = share["revoked_at"] is None and share["expires_at"] > now
        status = words["revoked"] if share["revoked_at"] else (
            words["active"] if active else words["expired"])
        if share["is_override"]:
            status += f" · {words['override']}"
        revoke = (f'<a class="button button--danger" '
                  f'href="{_e(revoke_href(case_id, share["pk"]))}">{words["revoke"]}'
                  f'<span class="visually-hidden"> {name}</span></a>') if active else ""
        rows.append(
            "\n    <tr>\n"
            f'      <th scope="row">{name}</th>\n'
            f"      <td>{', '.join(sections[code] for code in share['sections'])}</td>\n"
            f"      <td>{modes.get(share['mode'], _e(share['mode']))}</td>\n"
            f"      <td>{days[day]}</td>\n"
            f"      <td>{status}</td>\n"
            f"      <td>{revoke}</td>\n"
            "    </tr>\n  ")
    return mark_safe("".join(rows))  # noqa: S308 (built from escaped values)


class SharedRows(list):
    """The rows of "Shared with me" (dicts, as `cases.sharing.views.share_rows` makes them),
    and their `<tr>`s."""

    def html(self) -> SafeString:
        """Every row as the list's template loop wrote it (link, code name, stage, shared
        sections, mode, last day): the same characters, each value escaped, the words
        translated and each last day written once a page."""
        modes = (_e(gettext("May contribute")), _e(gettext("Read only")))
        days: dict[datetime.date | None, str] = {None: ""}
        rows = []
        for row in self:
            day = None if row["expires_at"] is None else last_day(row["expires_at"])
            if day not in days:
                days[day] = _e(formats.date_format(day, "DATE_FORMAT"))
            rows.append(
                "\n    <tr>\n"
                f'      <th scope="row"><a href="{_e(row["url"])}">{_e(row["code_name"])}</a>'
                "</th>\n"
                f"      <td>{_e(row['stage'])}</td>\n"
                f"      <td>{_e(', '.join(str(label) for label in row['sections']))}</td>\n"
                f"      <td>{modes[0] if row['contribute'] else modes[1]}</td>\n"
                f"      <td>{days[day]}</td>\n"
                "    </tr>\n  ")
        return mark_safe("".join(rows))  # noqa: S308 (built from escaped values)
