"""The register's table, append-only in the database, with version 1 of every activity.

Like the access log (audit 0002) the table becomes `managed = False` and triggers refuse UPDATE
and DELETE (and TRUNCATE on PostgreSQL): a change of the register is a new version, and no one,
whatever the client, rewrites or removes an earlier one.
"""

from django.db import migrations, models
from django.utils import timezone

SQLITE_FORWARD = [
    """CREATE TRIGGER register_version_no_update BEFORE UPDATE ON register_activityversion
       BEGIN SELECT RAISE(ABORT, 'the register is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER register_version_no_delete BEFORE DELETE ON register_activityversion
       BEGIN SELECT RAISE(ABORT, 'the register is append-only: DELETE refused'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS register_version_no_update",
    "DROP TRIGGER IF EXISTS register_version_no_delete",
]
POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION register_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'the register is append-only: % refused', TG_OP; END $$""",
    """CREATE TRIGGER register_version_no_change BEFORE UPDATE OR DELETE
       ON register_activityversion FOR EACH ROW EXECUTE FUNCTION register_refuse_change()""",
    """CREATE TRIGGER register_version_no_truncate BEFORE TRUNCATE ON register_activityversion
       FOR EACH STATEMENT EXECUTE FUNCTION register_refuse_change()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS register_version_no_change ON register_activityversion",
    "DROP TRIGGER IF EXISTS register_version_no_truncate ON register_activityversion",
    "DROP FUNCTION IF EXISTS register_refuse_change()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise RuntimeError(f"The register supports SQLite and PostgreSQL, not {vendor}.")
        for sql in statements_by_vendor[vendor]:
            schema_editor.execute(sql, params=None)

    return run


def first_versions(apps, schema_editor):
    from shelter.register.catalogue import INITIAL

    ActivityVersion = apps.get_model("register", "ActivityVersion")
    now = timezone.now()
    for code, texts in INITIAL.items():
        if not ActivityVersion.objects.filter(code=code).exists():
            ActivityVersion.objects.create(code=code, version=1, changed_at=now,
                                           change_note="First version", **texts)


class Migration(migrations.Migration):

    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="ActivityVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("code", models.CharField(max_length=32, verbose_name="activity")),
                ("version", models.PositiveSmallIntegerField(verbose_name="version")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("purpose", models.TextField(verbose_name="purpose")),
                ("legal_basis", models.TextField(verbose_name="legal basis")),
                ("data_categories", models.TextField(verbose_name="categories of personal data")),
                ("subject_categories", models.TextField(
                    verbose_name="categories of data subjects")),
                ("recipients", models.TextField(verbose_name="recipients")),
                ("transfers", models.TextField(blank=True,
                                               verbose_name="transfers outside the EEA")),
                ("retention", models.TextField(verbose_name="retention period")),
                ("security_measures", models.TextField(verbose_name="security measures")),
                ("changed_at", models.DateTimeField(verbose_name="changed at")),
                ("changed_by_id", models.BigIntegerField(null=True, verbose_name="changed by")),
                ("change_note", models.CharField(blank=True, max_length=300,
                                                 verbose_name="reason for the change")),
            ],
            options={
                "verbose_name": "processing activity version",
                "verbose_name_plural": "processing activity versions",
                "ordering": ["code", "-version"],
                "constraints": [models.UniqueConstraint(fields=("code", "version"),
                                                        name="register_version_unique")],
            },
        ),
        migrations.RunPython(first_versions, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
        migrations.AlterModelOptions(
            name="activityversion",
            options={"managed": False, "ordering": ["code", "-version"],
                     "verbose_name": "processing activity version",
                     "verbose_name_plural": "processing activity versions"},
        ),
    ]
