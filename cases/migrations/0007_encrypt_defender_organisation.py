"""Encrypt the defender's organisation, which was stored in clear text.

The clear column is renamed aside, an encrypted column takes the field's name, every existing
value is sealed with its defender's data key (like the defender's other identifying fields), the
clear values are blanked and the clear column is dropped. Nothing is lost: a value that cannot be
sealed stops the migration, inside its transaction.

Uses the current Defender model for the sealing, on purpose: only it knows how to encrypt; it
loads only the primary key and the new column, which exist at this point. On PostgreSQL the old
values linger in dead tuples until the table is rewritten: the release notes say to run
`VACUUM FULL cases_defender` after this migration (SQLite runs with secure_delete on, and
dropping the column rebuilds the table).
"""

from django.db import migrations

import shelter.crypto.fields


def _database(schema_editor) -> str:
    return schema_editor.connection.alias if schema_editor else "default"


def seal_organisations(apps, schema_editor):
    database = _database(schema_editor)
    historical = apps.get_model("cases", "Defender")
    rows = list(historical.objects.using(database).exclude(organisation_clear="")
                .values_list("pk", "organisation_clear"))
    if not rows:
        return
    from cases.models import Defender

    for pk, clear in rows:
        defender = Defender.objects.using(database).only("pk", "organisation").get(pk=pk)
        defender.organisation = clear
        defender.save(update_fields=["organisation"])
    historical.objects.using(database).filter(pk__in=[pk for pk, _ in rows]).update(
        organisation_clear="")


def unseal_organisations(apps, schema_editor):
    """Back to clear text (only for rolling the migration back; nothing is lost either way)."""
    database = _database(schema_editor)
    historical = apps.get_model("cases", "Defender")
    from cases.models import Defender

    sealed = (Defender.objects.using(database).only("pk", "organisation")
              .filter(organisation__isnull=False))
    for defender in sealed:
        historical.objects.using(database).filter(pk=defender.pk).update(
            organisation_clear=defender.organisation or "")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_case_created_index"),
        ("crypto", "0001_initial"),
    ]

    operations = [
        migrations.RenameField("defender", "organisation", "organisation_clear"),
        migrations.AddField(
            model_name="defender",
            name="organisation",
            field=shelter.crypto.fields.EncryptedCharField(
                blank=True, max_length=200, null=True, verbose_name="organisation"),
        ),
        migrations.RunPython(seal_organisations, unseal_organisations),
        migrations.RemoveField("defender", "organisation_clear"),
    ]
