"""Make the audit table append-only in the database itself, and add the PostgreSQL head lock.

The model becomes `managed = False` so that Django never flushes the table (test teardown,
`manage.py flush`). Triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) whatever
the client. `audit_lock_head()` takes the chain's advisory lock and then reads the head: as a
VOLATILE function its SELECT gets a fresh snapshot after the lock is granted, so one statement
gives a head no concurrent writer can still move.
"""

from django.db import migrations

LOCK_KEY = 6001130428512163140  # b"SHLTRAUD"; also in shelter/audit/log.py

SQLITE_FORWARD = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE refused'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]

POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit log is append-only: % refused', TG_OP; END $$""",
    """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
    f"""CREATE OR REPLACE FUNCTION audit_lock_head(OUT head_seq bigint, OUT head_hash text)
       LANGUAGE plpgsql VOLATILE AS $$
       BEGIN
         PERFORM pg_advisory_xact_lock({LOCK_KEY});
         SELECT seq, hash INTO head_seq, head_hash
           FROM audit_auditevent ORDER BY seq DESC LIMIT 1;
       END $$""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
    "DROP FUNCTION IF EXISTS audit_lock_head()",
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
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='auditevent',
            options={'managed': False, 'ordering': ['-seq'], 'verbose_name': 'audit event',
                     'verbose_name_plural': 'audit events'},
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
