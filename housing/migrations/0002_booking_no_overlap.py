"""Active bookings of a unit never overlap (including the turnover buffer), in the database.

PostgreSQL: btree_gist (for ``unit_id WITH =`` inside a GiST index; CI runs as superuser) and an
exclusion constraint over ``daterange(start, blocked_until)``. Both operations do nothing on
SQLite (Django's CreateExtension checks the vendor itself), where the housing services
serialise writers (BEGIN IMMEDIATE) and check inside the transaction.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

from housing.constraints import PostgresOnlyConstraint


class Migration(migrations.Migration):

    dependencies = [
        ("housing", "0001_initial"),
    ]

    operations = [
        BtreeGistExtension(),
        PostgresOnlyConstraint(model_name="booking", factory="no_overlap_constraint"),
    ]
