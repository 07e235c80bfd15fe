"""The programme's funders: the municipality, the national coordinator, the Ministry of Foreign
Affairs, ProtectDefenders.eu and "other". Coordinators change and add funders on a page."""

from django.db import migrations

# A copy, not an import of budget.choices: a migration must not change when the code does.
FUNDERS = (
    ("municipality", "Municipality", 10),
    ("national_coordinator", "Justice & Peace Netherlands (national coordinator)", 20),
    ("ministry_foreign_affairs", "Ministry of Foreign Affairs", 30),
    ("protectdefenders", "ProtectDefenders.eu", 40),
    ("other", "Other", 90),
)


def create(apps, schema_editor):
    Funder = apps.get_model("budget", "Funder")
    for code, name, order in FUNDERS:
        Funder.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("budget", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
