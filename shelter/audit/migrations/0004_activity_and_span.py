"""Entries name their processing activity (the register's code and version) and their span in
the W3C trace, as format version 3; an index serves the per-subject processing log.

Hand-written for the reason 0003 gives: the table is `managed = False` and append-only, so each
column comes with a constant default and no row is rewritten (the UPDATE triggers never fire).
Existing rows keep reading as what their hashes cover: their version says which fields count.
"""

from django.db import migrations, models

SQLITE_FORWARD = [
    """ALTER TABLE audit_auditevent ADD COLUMN "activity" varchar(32) NOT NULL DEFAULT ''""",
    """ALTER TABLE audit_auditevent ADD COLUMN "activity_version" smallint unsigned NOT NULL
       DEFAULT 0 CHECK ("activity_version" >= 0)""",
    """ALTER TABLE audit_auditevent ADD COLUMN "span_id" varchar(16) NOT NULL DEFAULT ''""",
    """ALTER TABLE audit_auditevent ADD COLUMN "parent_span_id" varchar(16) NOT NULL
       DEFAULT ''""",
    """CREATE INDEX "audit_event_subject" ON audit_auditevent ("subject_id", "time")""",
]
SQLITE_BACKWARD = [
    'DROP INDEX IF EXISTS "audit_event_subject"',
    'ALTER TABLE audit_auditevent DROP COLUMN "parent_span_id"',
    'ALTER TABLE audit_auditevent DROP COLUMN "span_id"',
    'ALTER TABLE audit_auditevent DROP COLUMN "activity_version"',
    'ALTER TABLE audit_auditevent DROP COLUMN "activity"',
]
POSTGRES_FORWARD = [
    """ALTER TABLE audit_auditevent
         ADD COLUMN activity varchar(32) NOT NULL DEFAULT '',
         ADD COLUMN activity_version smallint NOT NULL DEFAULT 0 CHECK (activity_version >= 0),
         ADD COLUMN span_id varchar(16) NOT NULL DEFAULT '',
         ADD COLUMN parent_span_id varchar(16) NOT NULL DEFAULT ''""",
    "CREATE INDEX audit_event_subject ON audit_auditevent (subject_id, time)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS audit_event_subject",
    "ALTER TABLE audit_auditevent DROP COLUMN parent_span_id, DROP COLUMN span_id,"
    " DROP COLUMN activity_version, DROP COLUMN activity",
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
        ('audit', '0003_case_subject_version'),
        # The writer names the register's versions: the register exists before version 3.
        ('register', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name='auditevent', name='activity',
                    field=models.CharField(blank=True, default='', max_length=32,
                                           verbose_name='processing activity'),
                ),
                migrations.AddField(
                    model_name='auditevent', name='activity_version',
                    field=models.PositiveSmallIntegerField(default=0,
                                                           verbose_name='register version'),
                ),
                migrations.AddField(
                    model_name='auditevent', name='span_id',
                    field=models.CharField(blank=True, default='', max_length=16,
                                           verbose_name='span'),
                ),
                migrations.AddField(
                    model_name='auditevent', name='parent_span_id',
                    field=models.CharField(blank=True, default='', max_length=16,
                                           verbose_name='parent span'),
                ),
                migrations.AddIndex(
                    model_name='auditevent',
                    index=models.Index(fields=['subject_id', 'time'], name='audit_event_subject'),
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
