"""Name tokens for whole-token search, and country_of_activity as a country field.

`name_tokens` holds the blind index of every token of a defender's legal and other names; it is
filled here for the defenders already on record (decrypting with the key provider through the
current model, as 0007 does: only it knows how to decrypt; it loads only the columns it needs).
Shredded defenders get none. `manage.py reindex_names` runs the same code after a key change.
The country column stays two characters: only its choices (django-countries) change.
"""

import django_countries.fields
import shelter.crypto.fields
from django.db import migrations


def fill_name_tokens(apps, schema_editor):
    from cases.services import defender_names_reindex

    defender_names_reindex(using=schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0009_task_own_title'),
        ('crypto', '0002_keycheck_installation'),
    ]

    operations = [
        migrations.AddField(
            model_name='defender',
            name='name_tokens',
            field=shelter.crypto.fields.BlindIndexTokensField(purpose='defender.name_token', sources=['legal_name', 'other_names']),
        ),
        migrations.AlterField(
            model_name='defender',
            name='country_of_activity',
            field=django_countries.fields.CountryField(blank=True, help_text='Used for statistics.', max_length=2, verbose_name='country of activity'),
        ),
        migrations.RunPython(fill_name_tokens, migrations.RunPython.noop),
    ]
