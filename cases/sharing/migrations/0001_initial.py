"""The sharing models move here from the cases app, their tables and rows untouched.

The tables were created by cases.0005 and keep their names (`db_table`); this migration only
tells Django's state that the models now belong to "sharing" (cases.0008 removes them from the
cases state), so a database at the old schema migrates without any SQL on these tables, and a
fresh database gets them from cases.0005. The content types of the moved models are renamed
(their rows keep their ids, so the model permissions pointing at them stay valid). Guardian's
rows point at `cases.view_case` / `cases.contribute_case`, permissions of Case, which did not
move. Audit entries keep the "cases.<model>" names they were hashed with.
"""

import django.db.models.deletion
import django.utils.timezone
import shelter.crypto.fields
import uuid
from django.conf import settings
from django.db import migrations, models


MOVED = ("breakglass", "caseshare", "casegroupobjectpermission", "caseuserobjectpermission",
         "organisationgroup")


def _relabel(apps, old: str, new: str) -> None:
    """Point the moved models' content types at their new app (where no row for it exists)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label=new, model__in=MOVED)
                .values_list("model", flat=True))
    ContentType.objects.filter(app_label=old, model__in=set(MOVED) - taken).update(
        app_label=new)


def forwards(apps, schema_editor):
    _relabel(apps, "cases", "sharing")


def backwards(apps, schema_editor):
    _relabel(apps, "sharing", "cases")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0004_move_totp_secrets'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('cases', '0007_encrypt_defender_organisation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='BreakGlass',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('reason', shelter.crypto.fields.EncryptedTextField(blank=True, null=True, verbose_name='reason')),
                        ('opened_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='opened at')),
                        ('expires_at', models.DateTimeField(verbose_name='expires at')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='break_glass', to='cases.case', verbose_name='case')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='opened by')),
                    ],
                    options={
                        'verbose_name': 'break-glass opening',
                        'verbose_name_plural': 'break-glass openings',
                        'db_table': 'cases_breakglass',
                        'ordering': ['-opened_at'],
                    },
                ),
                migrations.CreateModel(
                    name='OrganisationGroup',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('group', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='organisation_link', to='auth.group')),
                        ('organisation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='share_group', to='accounts.organisation')),
                    ],
                    options={
                        'db_table': 'cases_organisationgroup',
                    },
                ),
                migrations.CreateModel(
                    name='CaseGroupObjectPermission',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('content_object', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='group_object_permissions', to='cases.case')),
                        ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='auth.group')),
                        ('permission', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='auth.permission')),
                    ],
                    options={
                        'db_table': 'cases_casegroupobjectpermission',
                        'abstract': False,
                        'unique_together': {('group', 'permission', 'content_object')},
                    },
                ),
                migrations.CreateModel(
                    name='CaseShare',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('sections', models.JSONField(default=list, verbose_name='sections')),
                        ('mode', models.CharField(choices=[('read', 'Read only'), ('contribute', 'May contribute')], default='read', max_length=12, verbose_name='mode')),
                        ('expires_at', models.DateTimeField(db_index=True, verbose_name='expires at')),
                        ('reason', shelter.crypto.fields.EncryptedTextField(blank=True, null=True, verbose_name='reason')),
                        ('consent_on', models.DateField(blank=True, null=True, verbose_name='consent given on')),
                        ('override_reason', shelter.crypto.fields.EncryptedTextField(blank=True, null=True, verbose_name='coordinator override reason')),
                        ('is_override', models.BooleanField(default=False, verbose_name='coordinator override')),
                        ('granted_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='granted at')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked at')),
                        ('revoke_reason', shelter.crypto.fields.EncryptedTextField(blank=True, null=True, verbose_name='reason for revoking')),
                        ('expired_at', models.DateTimeField(blank=True, null=True, verbose_name='expiry processed at')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='shares', to='cases.case', verbose_name='case')),
                        ('granted_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='granted by')),
                        ('grantee_organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='case_shares', to='accounts.organisation', verbose_name='shared with (organisation)')),
                        ('grantee_user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='case_shares', to=settings.AUTH_USER_MODEL, verbose_name='shared with (person)')),
                        ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='revoked by')),
                    ],
                    options={
                        'verbose_name': 'case share',
                        'verbose_name_plural': 'case shares',
                        'db_table': 'cases_caseshare',
                        'ordering': ['expires_at'],
                        'indexes': [models.Index(fields=['grantee_user', 'expires_at'], name='share_user_expiry'), models.Index(fields=['grantee_organisation', 'expires_at'], name='share_org_expiry')],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('grantee_organisation__isnull', True), ('grantee_user__isnull', False)), models.Q(('grantee_organisation__isnull', False), ('grantee_user__isnull', True)), _connector='OR'), name='share_one_grantee')],
                    },
                ),
                migrations.CreateModel(
                    name='CaseUserObjectPermission',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('content_object', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='user_object_permissions', to='cases.case')),
                        ('permission', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='auth.permission')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'cases_caseuserobjectpermission',
                        'abstract': False,
                        'unique_together': {('user', 'permission', 'content_object')},
                    },
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
