"""Entries name their case and a per-defender pseudonym, and carry their format version.

Hand-written because the table is `managed = False` (0002): Django would not touch it, and on
SQLite its own AddField would rebuild the table (copy, drop, rename), losing the triggers.
Each column is added with a constant default instead: SQLite's ADD COLUMN and PostgreSQL's
(11+, "fast default") change only the schema, so no row is rewritten and the triggers that
refuse UPDATE never fire. Existing rows read as version 1 with no case and no subject, which
is exactly what their hashes cover. The database defaults stay, so an entry inserted by code
that predates this migration (a process still running during a deploy) is a valid version 1.
"""

from django.db import migrations, models

SQLITE_FORWARD = [
    """ALTER TABLE audit_auditevent ADD COLUMN "case_id" varchar(36) NOT NULL DEFAULT ''""",
    """ALTER TABLE audit_auditevent ADD COLUMN "subject_id" varchar(64) NOT NULL DEFAULT ''""",
    """ALTER TABLE audit_auditevent ADD COLUMN "version" smallint unsigned NOT NULL DEFAULT 1
       CHECK ("version" >= 0)""",
    """CREATE INDEX "audit_event_case" ON audit_auditevent ("case_id", "time")""",
]
SQLITE_BACKWARD = [
    'DROP INDEX IF EXISTS "audit_event_case"',
    'ALTER TABLE audit_auditevent DROP COLUMN "version"',
    'ALTER TABLE audit_auditevent DROP COLUMN "subject_id"',
    'ALTER TABLE audit_auditevent DROP COLUMN "case_id"',
]
POSTGRES_FORWARD = [
    """ALTER TABLE audit_auditevent
         ADD COLUMN case_id varchar(36) NOT NULL DEFAULT '',
         ADD COLUMN subject_id varchar(64) NOT NULL DEFAULT '',
         ADD COLUMN version smallint NOT NULL DEFAULT 1 CHECK (version >= 0)""",
    "CREATE INDEX audit_event_case ON audit_auditevent (case_id, time)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS audit_event_case",
    "ALTER TABLE audit_auditevent DROP COLUMN version, DROP COLUMN subject_id,"
    " DROP COLUMN case_id",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise RuntimeError(f"The audit log supports SQLite and PostgreSQL, not {vendor}.")
        for sql in statements_by_vendor[vendor]:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name='auditevent', name='case_id',
                    field=models.CharField(blank=True, default='', max_length=36,
                                           verbose_name='case'),
                ),
                migrations.AddField(
                    model_name='auditevent', name='subject_id',
                    field=models.CharField(blank=True, default='', max_length=64,
                                           verbose_name='subject'),
                ),
                migrations.AddField(
                    model_name='auditevent', name='version',
                    field=models.PositiveSmallIntegerField(default=1,
                                                           verbose_name='format version'),
                ),
                migrations.AddIndex(
                    model_name='auditevent',
                    index=models.Index(fields=['case_id', 'time'], name='audit_event_case'),
                ),
            ],
            database_operations=[
                migrations.RunPython(
                    _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
                    _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
                ),
            ],
        ),
    ]
