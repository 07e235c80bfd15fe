"""SQLite refuses double bookings in the database too, as PostgreSQL has since 0002.

SQLite has no exclusion constraint, so two triggers say the same thing as
``housing_booking_no_overlap``: an active (tentative or confirmed) booking may not share a day
of [start, blocked_until) with another active booking of its unit. They refuse an INSERT, and
an UPDATE of the unit, the dates or the status, with an error that names the constraint, which
`housing.services` turns into a BookingConflict as it does PostgreSQL's. Dates are ISO text on
SQLite, so comparing them as text compares the days.

A database that already holds an overlap (written around the services before this migration)
is not migrated: the migration names the two bookings by id, and one of them has to be
cancelled first. Nothing on PostgreSQL, where 0002's constraint already holds.
"""

import uuid

from django.db import migrations

# Written out, as a migration is: the statuses are Booking.ACTIVE and the name is
# housing.constraints.NO_OVERLAP (tests/housing/test_database_guarantees.py holds them equal).
# `other.id <> OLD.id` leaves out the row itself on an update.
_REFUSE = """SELECT RAISE(ABORT, 'housing_booking_no_overlap: the unit is already booked')
    WHERE EXISTS (SELECT 1 FROM housing_booking AS other
                  WHERE other.unit_id = NEW.unit_id AND other.id <> {row}.id
                    AND other.status IN ('tentative', 'confirmed')
                    AND other."start" < NEW.blocked_until
                    AND other.blocked_until > NEW."start")"""

TRIGGERS = {
    "housing_booking_no_overlap_insert": (
        "BEFORE INSERT ON housing_booking WHEN NEW.status IN ('tentative', 'confirmed')",
        _REFUSE.format(row="NEW")),
    "housing_booking_no_overlap_update": (
        'BEFORE UPDATE OF id, unit_id, "start", blocked_until, status ON housing_booking'
        " WHEN NEW.status IN ('tentative', 'confirmed')",
        _REFUSE.format(row="OLD")),
}

# The first pair of active bookings of one unit that share a day, if any.
EXISTING_OVERLAP = """SELECT a.id, b.id FROM housing_booking AS a
    JOIN housing_booking AS b ON b.unit_id = a.unit_id AND b.id > a.id
                              AND b."start" < a.blocked_until AND b.blocked_until > a."start"
    WHERE a.status IN ('tentative', 'confirmed') AND b.status IN ('tentative', 'confirmed')
    LIMIT 1"""


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(EXISTING_OVERLAP)
        found = cursor.fetchone()
    if found is not None:
        first, second = (uuid.UUID(str(booking_id)) for booking_id in found)
        raise RuntimeError(
            f"Bookings {first} and {second} of one unit overlap. Cancel one of them, then "
            "migrate again: the database now refuses overlapping bookings.")
    for name, (when, body) in TRIGGERS.items():
        schema_editor.execute(f"CREATE TRIGGER {name} {when} BEGIN {body}; END", params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("housing", "0002_booking_no_overlap"),
    ]

    operations = [
        migrations.RunPython(add_triggers, drop_triggers),
    ]
