"""Move authenticator secrets out of django-otp's TOTPDevice table (clear text) into
AuthenticatorDevice (encrypted), and delete the clear-text rows.

django-otp's TOTP plugin is no longer installed, so its table is read with plain SQL, and only
where it exists: a database created before AuthenticatorDevice may still hold rows there; a
new database has no such table and nothing to move. The emptied table is left in place (an
installation that ran this migration before kept it too).

Uses the current AuthenticatorDevice model on purpose: only it knows how to encrypt. On
PostgreSQL the deleted rows stay in dead tuples until VACUUM; the release notes say to run
`VACUUM FULL otp_totp_totpdevice` after this migration (SQLite runs with secure_delete on).
"""

import datetime

from django.conf import settings
from django.db import connections, migrations

OLD_TABLE = "otp_totp_totpdevice"
DEFAULTS = {"step": 30, "t0": 0, "digits": 6}
COLUMNS = ["id", "user_id", "name", "confirmed", "key", "step", "t0", "digits", "drift",
           "last_t", "throttling_failure_count", "throttling_failure_timestamp",
           "last_used_at"]
DATETIMES = ("throttling_failure_timestamp", "last_used_at")


def _old_rows(connection) -> list[dict]:
    with connection.cursor() as cursor:
        if OLD_TABLE not in connection.introspection.table_names(cursor):
            return []
        present = {column.name for column in
                   connection.introspection.get_table_description(cursor, OLD_TABLE)}
        names = [name for name in COLUMNS if name in present]  # last_used_at came later
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT {', '.join(quote(n) for n in names)} "  # noqa: S608 (fixed names)
                       f"FROM {quote(OLD_TABLE)} ORDER BY {quote('id')}")
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    for row in rows:
        for name in DATETIMES:
            value = row.get(name)
            if isinstance(value, str):  # SQLite without a column converter
                value = datetime.datetime.fromisoformat(value)
            if isinstance(value, datetime.datetime) and settings.USE_TZ and \
                    value.tzinfo is None:  # stored in the connection's zone (UTC)
                value = value.replace(tzinfo=connection.timezone)
            row[name] = value
    return rows


def move_secrets(apps, schema_editor):
    database = schema_editor.connection.alias if schema_editor else "default"
    connection = connections[database]
    old_rows = _old_rows(connection)
    if not old_rows:
        return
    from shelter.accounts.models import AuthenticatorDevice  # the current model: it encrypts

    for old in old_rows:
        if any(old[name] != value for name, value in DEFAULTS.items()):
            raise RuntimeError(f"TOTP device {old['id']} has non-default parameters; reset that "
                               "user's second factor before migrating.")
        AuthenticatorDevice.objects.using(database).create(
            user_id=old["user_id"], name=old["name"], confirmed=bool(old["confirmed"]),
            secret=old["key"], drift=old["drift"], last_t=old["last_t"],
            last_used_at=old.get("last_used_at"),
            throttling_failure_count=old["throttling_failure_count"],
            throttling_failure_timestamp=old["throttling_failure_timestamp"])
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(old_rows))
        cursor.execute(f"DELETE FROM {quote(OLD_TABLE)} "  # noqa: S608 (fixed names)
                       f"WHERE {quote('id')} IN ({placeholders})", [row["id"] for row in old_rows])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_authenticator_device"),
        ("crypto", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(move_secrets, migrations.RunPython.noop),
    ]
