"""The access log's table rows, written in Python.

An auditor's page shows fifty entries of ten cells. As a template, each row paid three includes
(object, outcome, sign-in details), two or three `{% url %}` and five label translations: most
of the page's time. Here a row is one string: links are a prefix reversed once per process with
the id put in its place, labels and outcomes are translated and escaped once per code per
table, an actor's link is written once per table, the time zone is read once per table, and
every text from the entry passes through `html.escape` (what Django's own `escape` calls) on
its way in (the sequence number and the ISO time are digits and punctuation, written as they
are). The HTML is the one the templates wrote.
"""

from __future__ import annotations

import html
from typing import Any

from django.utils import dateformat, timezone
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from shelter.audit.actions import Action
from shelter.links import SAMPLE_INT, SAMPLE_STR, kept_link_maker

CASE = "cases.case"
DASH = "—"


def _e(value: Any) -> str:
    return html.escape(str(value))


class Rows:
    """Writes the cells of one table of access-log entries."""

    def __init__(self) -> None:
        # Reversed once per process (per URLconf and script prefix), not once per table.
        self.actor_href = kept_link_maker("audit:actor", SAMPLE_INT)
        self.target_href = kept_link_maker("audit:target", SAMPLE_STR, SAMPLE_STR + "2")
        self._labels: dict[tuple[str, Any], str] = {}
        self._words = {"of case": _e(gettext("of case")),
                       "again": _e(gettext("confirmed again"))}
        self._months: dict[int, str] = {}
        self._outcomes: dict[str, str] = {}
        self._actors: dict[tuple[int, str], str] = {}
        # Read once per table: `timezone.localtime` looks the zone up again for every value.
        self._zone = timezone.get_current_timezone()

    def local(self, value: Any) -> Any:
        """`timezone.localtime(value)`, with the current zone read when the table began."""
        if timezone.is_naive(value):
            return timezone.localtime(value)  # refuses it, as it always did
        return value.astimezone(self._zone)

    def when(self, local: Any) -> str:
        """`local` as Django's date format "j F Y H:i:s" writes it, the month's name
        translated once per table (the formatter translated it again for every row)."""
        month = self._months.get(local.month)
        if month is None:
            month = self._months[local.month] = _e(MONTHS[local.month])
        return f"{local.day} {month} {local.year:04d} {local:%H:%M:%S}"

    def _label(self, kind: str, code: Any, event: Any) -> str:
        """The entry's `<kind>_label` for `code`, translated and escaped once per table."""
        key = (kind, code)
        if key not in self._labels:
            self._labels[key] = _e(getattr(event, f"{kind}_label"))
        return self._labels[key]

    def outcome(self, event: Any) -> str:
        """`outcome(event)`, translated once per kind of outcome per table."""
        kind = outcome_kind(event)
        if kind not in self._outcomes:
            self._outcomes[kind] = outcome(event)
        return self._outcomes[kind]

    # --- cells: HTML in which every value from the entry is escaped -----------------------
    def object(self, event: Any) -> str:
        """The object of an entry: a link to who accessed it, and the case it belongs to."""
        noun = self._label("object", event.target_type, event)
        if event.target_id:
            code = getattr(event, "target_code_name", "")
            cell = (f'<a href="{_e(self.target_href(event.target_type, event.target_id))}">'
                    f'{noun}{" " + _e(code) if code else ""}</a> '
                    f'<span class="log-id">{_e(event.target_id)}</span>')
        else:
            cell = noun if event.target_type else DASH
        case_code = getattr(event, "case_code_name", "")
        if case_code and event.target_type != CASE:
            cell += (f'<br><span class="log-case">{self._words["of case"]} '
                     f'<a href="{_e(self.target_href(CASE, event.case_id))}">{_e(case_code)}'
                     "</a></span>")
        return cell

    def actor(self, event: Any) -> str:
        """Who: a link to what they did, written once per actor per table."""
        if not event.actor_id:
            return DASH
        name = getattr(event, "actor_name", "") or f"#{event.actor_id}"
        key = (event.actor_id, name)
        if key not in self._actors:
            self._actors[key] = (f'<a href="{_e(self.actor_href(event.actor_id))}">'
                                 f"{_e(name)}</a>")
        return self._actors[key]

    def sign_in(self, event: Any) -> str:
        """Under a sign-in entry's action: the method, the factor and the reason, in words."""
        if not event.shows_sign_in_details:
            return ""
        method, factor, reason = event.method_label, event.factor_label, event.reason_label
        lines = []
        if method:
            again = isinstance(event.facts, dict) and event.facts.get("again")
            lines.append(_e(method) + (f' <span class="tag tag--muted">{self._words["again"]}'
                                       "</span>" if again else ""))
        lines += [_e(text) for text in (factor, reason) if text]
        return f'<span class="log-detail">{"<br>".join(lines)}</span>' if lines else ""

    def row(self, event: Any) -> str:
        local = self.local(event.time)
        break_glass = event.action == Action.BREAK_GLASS
        action = self._label("action", event.action, event)
        if break_glass:
            action = f'<span class="tag tag--danger">{action}</span>'
        actor = self.actor(event)
        role = self._label("role", event.actor_role, event) or DASH
        section = self._label("section", event.section, event) or DASH
        organisation = _e(getattr(event, "organisation_name", "")) or DASH
        return ("<tr" + (' class="row--break-glass"' if break_glass else "") + ">"
                # The number and the ISO time are digits and "-:+.T" only: nothing to escape.
                f"<td>{event.seq:d}</td>"
                f'<td><time datetime="{local.isoformat()}">'
                f"{self.when(local)}</time></td>"
                f"<td>{actor}</td><td>{role}</td><td>{organisation}</td>"
                f"<td>{action}{self.sign_in(event)}</td><td>{self.object(event)}</td>"
                f"<td>{section}</td><td>{self.outcome(event)}</td>"
                f'<td class="log-id">{_e(event.ip_address or "") or DASH}</td></tr>')


def outcome_kind(event: Any) -> str:
    """"refused" (access denied), "rejected" (a business rule said no) or "allowed"."""
    if event.is_refusal:
        return "refused"
    return "rejected" if event.is_rejection else "allowed"


def outcome(event: Any) -> SafeString:
    """Allowed, refused (access denied) or rejected (a business rule said no), as a tag."""
    kind = outcome_kind(event)
    if kind == "refused":
        tag, word = "warn", gettext("refused")
    elif kind == "rejected":
        tag, word = "muted", gettext("rejected")
    else:
        tag, word = "ok", gettext("allowed")
    return mark_safe(f'<span class="tag tag--{tag}">{_e(word)}</span>')  # noqa: S308 (escaped)


def table_rows(events) -> SafeString:
    """Every row of a table of entries, as one piece of HTML."""
    rows = Rows()
    return mark_safe("\n".join(rows.row(event) for event in events))  # noqa: S308 (escaped)


def object_cell(event: Any) -> SafeString:
    """One entry's object (the coordinators' panel lists a few)."""
    return mark_safe(Rows().object(event))  # noqa: S308 (escaped)


class _Days:
    """A time as the `date` filter writes it with "j F Y, H:i" (or ", H:i:s"), in the current
    time zone: the day in words formatted once per day of the table, the clock in digits."""

    def __init__(self) -> None:
        self._days: dict[Any, str] = {}

    def local(self, value: Any) -> Any:
        return timezone.localtime(value)

    def words(self, local: Any, seconds: bool = False) -> str:
        day = local.date()
        if day not in self._days:
            self._days[day] = _e(dateformat.format(local, "j F Y"))
        clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
        return f"{self._days[day]}, {clock}"


def history_entry_rows(entries: Any) -> SafeString:
    """The rows of a case's "What happened" table (cases.history's entries: time, who, what,
    section, detail), with the whitespace and escaping of the template row they replace."""
    days = _Days()
    rows = []
    for entry in entries:
        local = days.local(entry.time)
        rows.append(
            "\n    <tr>\n"
            f'      <td><time datetime="{_e(local.isoformat())}">{days.words(local)}</time></td>\n'
            f"      <td>{_e(entry.who) if entry.who else DASH}</td>\n"
            f'      <th scope="row">{_e(entry.what)}</th>\n'
            f"      <td>{_e(entry.section) if entry.section else DASH}</td>\n"
            f"      <td>{_e(entry.detail) if entry.detail else DASH}</td>\n"
            "    </tr>\n  ")
    return mark_safe("".join(rows))  # noqa: S308 (built from escaped values)


def access_history_rows(events: Any) -> SafeString:
    """The rows of a case's access history (entries with `actor_name`): time, who, action,
    section and outcome, with the whitespace and escaping of the template row they replace;
    the labels are translated once per code per table."""
    days = _Days()
    labels: dict[tuple[str, Any], str] = {}
    rows = []
    for event in events:
        local = days.local(event.time)
        action_key, section_key = ("action", event.action), ("section", event.section)
        if action_key not in labels:
            labels[action_key] = _e(event.action_label)
        if section_key not in labels:
            labels[section_key] = _e(event.section_label) or DASH
        name = getattr(event, "actor_name", "")
        rows.append(
            "\n    <tr>\n"
            f"      <td>{days.words(local, seconds=True)}</td>\n"
            f"      <td>{_e(name) if name else DASH}</td>\n"
            f"      <td>{labels[action_key]}</td>\n"
            f"      <td>{labels[section_key]}</td>\n"
            f"      <td>{outcome(event)}</td>\n"
            "    </tr>\n  ")
    return mark_safe("".join(rows))  # noqa: S308 (built from escaped values)
