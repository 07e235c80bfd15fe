"""The sharing models now belong to the "sharing" app (sharing.0001): remove them from the
cases state only. Their tables, named cases_*, stay as they are, with every row."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0007_encrypt_defender_organisation"),
        ("sharing", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="BreakGlass"),
                migrations.DeleteModel(name="CaseGroupObjectPermission"),
                migrations.DeleteModel(name="CaseShare"),
                migrations.DeleteModel(name="CaseUserObjectPermission"),
                migrations.DeleteModel(name="OrganisationGroup"),
            ],
        ),
    ]
