"""Access-log cells written in Python (see shelter.audit.rows): `{% load audit_rows %}`."""

from django import template

from shelter.audit import rows

register = template.Library()


@register.simple_tag
def event_rows(events):
    """Every row of a table of access-log entries."""
    return rows.table_rows(events)


@register.simple_tag
def event_object(event):
    """An entry's object, linked to who accessed it, with the case it belongs to."""
    return rows.object_cell(event)


@register.simple_tag
def event_outcome(event):
    return rows.outcome(event)


@register.simple_tag
def history_entry_rows(entries):
    """The rows of a case's "What happened" table."""
    return rows.history_entry_rows(entries)


@register.simple_tag
def access_history_rows(events):
    """The rows of a case's access history."""
    return rows.access_history_rows(events)
