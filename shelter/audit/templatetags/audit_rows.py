"""Access-log cells written in Python (see shelter.audit.rows): `{% load audit_rows %}`.

- `{% event_rows events %}`: every row of a table of entries;
- `{% event_object event %}`: an entry's object, linked, with the case it belongs to;
- `{% event_outcome event %}`: allowed, refused or rejected, as a tag;
- `{% history_entry_rows entries %}`: the rows of a case's "What happened" table;
- `{% access_history_rows events %}`: the rows of a case's access history.
"""

from django import template

from shelter.audit import rows

register = template.Library()
register.simple_tag(rows.table_rows, name="event_rows")
register.simple_tag(rows.object_cell, name="event_object")
register.simple_tag(rows.outcome, name="event_outcome")
register.simple_tag(rows.history_entry_rows, name="history_entry_rows")
register.simple_tag(rows.access_history_rows, name="access_history_rows")
