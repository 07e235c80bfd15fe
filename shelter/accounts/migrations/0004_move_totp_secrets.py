"""Move authenticator secrets out of django-otp's TOTPDevice (clear text) into
AuthenticatorDevice (encrypted), and delete the clear-text rows.

Uses the current AuthenticatorDevice model on purpose: only it knows how to encrypt. On
PostgreSQL the deleted rows stay in dead tuples until VACUUM; the release notes say to run
`VACUUM FULL otp_totp_totpdevice` after this migration (SQLite runs with secure_delete on).
"""

from django.db import migrations

DEFAULTS = {"step": 30, "t0": 0, "digits": 6}


def move_secrets(apps, schema_editor):
    database = schema_editor.connection.alias if schema_editor else "default"
    old_model = apps.get_model("otp_totp", "TOTPDevice")
    old_rows = list(old_model.objects.using(database).all())
    if not old_rows:
        return
    from shelter.accounts.models import AuthenticatorDevice

    for old in old_rows:
        if any(getattr(old, name) != value for name, value in DEFAULTS.items()):
            raise RuntimeError(f"TOTP device {old.pk} has non-default parameters; reset that "
                               "user's second factor before migrating.")
        AuthenticatorDevice.objects.using(database).create(
            user_id=old.user_id, name=old.name, confirmed=old.confirmed, secret=old.key,
            drift=old.drift, last_t=old.last_t, last_used_at=old.last_used_at,
            throttling_failure_count=old.throttling_failure_count,
            throttling_failure_timestamp=old.throttling_failure_timestamp)
    old_model.objects.using(database).filter(pk__in=[row.pk for row in old_rows]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_authenticator_device"),
        ("otp_totp", "0003_add_timestamps"),
        ("crypto", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(move_secrets, migrations.RunPython.noop),
    ]
