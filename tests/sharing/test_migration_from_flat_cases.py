"""Moving the sharing models into their own app keeps every row: a database at the schema from
before the move (cases.0007, no sharing app), filled with the demo data plus a break-glass
opening, a revoked and an expired share and access-log entries named the old way, migrates
forward with every share, guardian permission row, document and audit entry intact, and
`verify_audit_log` and `verify_encryption` pass.

The old state is reached the way an operator would see it: a full migrate, then the move
unapplied (`sharing` to zero, which also unapplies cases.0008). The move is state-only, so the
cases_* tables are the ones the old code wrote; the content types of the moved models are back
under "cases", as the old code had them. It runs in a subprocess on an SQLite file, as the
other migration tests do, so the test database is not migrated back and forth.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = '''
import datetime, hashlib, io
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

def executor():
    return MigrationExecutor(connection)

call_command("migrate", verbosity=0)
leaves = executor().loader.graph.leaf_nodes()
executor().migrate([("sharing", None)])
applied = executor().loader.applied_migrations
assert ("cases", "0007_encrypt_defender_organisation") in applied, applied
assert ("cases", "0008_sharing_moves_to_its_app") not in applied
assert not any(app == "sharing" for app, _name in applied)
ContentType.objects.clear_cache()
moved = ["breakglass", "caseshare", "casegroupobjectpermission", "caseuserobjectpermission",
         "organisationgroup"]
old_types = dict(ContentType.objects.filter(app_label="cases", model__in=moved)
                 .values_list("model", "pk"))
assert set(old_types) == set(moved), old_types

# --- the old state, with demo data ------------------------------------------------------
from cases.models import Case, Document, Note
from cases.selectors import visible_cases
from cases.sharing.models import (BreakGlass, CaseGroupObjectPermission, CaseShare,
                                  CaseUserObjectPermission, OrganisationGroup)
from cases.sharing.services import break_glass_open, share_grant, share_revoke
from shelter import audit
from shelter.accounts.models import User
from shelter.audit import Action
from shelter.audit.models import AuditEvent
from shelter.crypto.api import open_document

# Columns that later cases migrations (0009 onwards) add are read and written by the current
# models used to fill the old state: add them for that, and drop them again before migrating
# forward, so the forward run adds them itself.
from cases.logistics.models import Companion, TravelDocuments, TravelLeg
from cases.models import CaseTransition, Defender, Task
later_columns = [(Defender, Defender._meta.get_field("name_tokens")),
                 (Task, Task._meta.get_field("own_title")),
                 # the nullable column first: SQLite adds the other (with a default) by
                 # rebuilding the table from the current model, which then has both
                 (CaseTransition, CaseTransition._meta.get_field("override_reason")),
                 (CaseTransition, CaseTransition._meta.get_field("overridden"))]
# Likewise the tables of apps whose migrations depend on those later ones (logistics).
later_tables = [Companion, TravelDocuments, TravelLeg]
with connection.schema_editor() as editor:
    for model, field in later_columns:
        editor.add_field(model, field)
    for model in later_tables:
        editor.create_model(model)

call_command("seed_demo", stdout=io.StringIO())
carla = User.objects.get(email="carla@demo.shelter.test")
pia = User.objects.get(email="pia@demo.shelter.test")
paul = User.objects.get(email="paul@demo.shelter.test")
cases = list(Case.objects.order_by("defender__code_name"))
today = timezone.localdate()
revoked = share_grant(case=cases[0], grantee_user=paul, sections=["identity"], mode="read",
                      expires_on=today + datetime.timedelta(days=5), reason="Revoked later",
                      consent_on=today, acting_user=carla)
share_revoke(share=revoked, acting_user=carla, reason="No longer needed")
expired = share_grant(case=cases[1], grantee_user=paul, sections=["contact"], mode="read",
                      expires_on=today, reason="Ran out", consent_on=today, acting_user=carla)
CaseShare.objects.filter(pk=expired.pk).update(expires_at=timezone.now()
                                               - datetime.timedelta(hours=1))
opening = break_glass_open(case=cases[2], acting_user=carla, reason="Hospital called")
# The old code named the moved models "cases.<model>" in the access log.
for share in CaseShare.objects.all():
    audit.record(carla, Action.SHARE_GRANT, ("cases.caseshare", share.pk), case_id=share.case_id)
audit.record(None, Action.SHARE_EXPIRE, ("cases.breakglass", opening.pk), case_id=opening.case_id)

def snapshot():
    # The log first: reading documents below records those reads.
    entries = list(AuditEvent.objects.order_by("seq").values_list(
        "seq", "target_type", "target_id", "hash"))
    return {
        "audit": entries,
        "shares": sorted((str(s.pk), str(s.case_id), s.grantee_user_id, s.grantee_organisation_id,
                          tuple(s.sections), s.mode, s.expires_at, s.revoked_at, s.reason,
                          s.consent_on, s.revoke_reason) for s in CaseShare.objects.all()),
        "user_perms": sorted(CaseUserObjectPermission.objects.values_list(
            "user_id", "permission__content_type__app_label", "permission__codename",
            "content_object_id")),
        "group_perms": sorted(CaseGroupObjectPermission.objects.values_list(
            "group_id", "permission__content_type__app_label", "permission__codename",
            "content_object_id")),
        "groups": sorted(OrganisationGroup.objects.values_list("organisation_id", "group_id")),
        "break_glass": sorted((str(b.pk), b.reason, b.expires_at)
                              for b in BreakGlass.objects.all()),
        "documents": sorted((str(d.pk), hashlib.sha256(b"".join(open_document(d, actor=carla)))
                             .hexdigest()) for d in Document.objects.all()),
        "notes": sorted((str(n.pk), n.body) for n in Note.objects.all()),
        "pia_sees": sorted(str(c.pk) for c in visible_cases(pia)),
        "paul_sees": sorted(str(c.pk) for c in visible_cases(paul)),
    }

before = snapshot()
assert len(before["shares"]) == 4 and before["user_perms"] and before["group_perms"], before
assert before["documents"] and before["break_glass"] and len(before["pia_sees"]) == 2
assert before["paul_sees"] == [], before["paul_sees"]  # revoked and expired grant nothing
assert {"cases.caseshare", "sharing.caseshare"} <= {t for _s, t, _i, _h in before["audit"]}

# --- forward ----------------------------------------------------------------------------
with connection.schema_editor() as editor:
    for model in reversed(later_tables):
        editor.delete_model(model)
    for model, field in later_columns:
        editor.remove_field(model, field)
executor().migrate(leaves)
applied = executor().loader.applied_migrations
assert ("sharing", "0001_initial") in applied
assert ("cases", "0008_sharing_moves_to_its_app") in applied
ContentType.objects.clear_cache()
new_types = dict(ContentType.objects.filter(app_label="sharing", model__in=moved)
                 .values_list("model", "pk"))
assert new_types == old_types, (new_types, old_types)
assert not ContentType.objects.filter(app_label="cases", model__in=moved).exists()

after = snapshot()
for key in before:
    if key == "audit":  # no entry changed; the reads of the first snapshot added some
        assert after[key][:len(before[key])] == before[key], key
    else:
        assert after[key] == before[key], key
for model in moved:
    from django.apps import apps
    assert apps.get_model("sharing", model)._meta.db_table == f"cases_{model}"

from shelter.audit.labels import target_noun
from shelter.audit.selectors import about_case
from django.utils import translation
translation.activate("en")
assert target_noun("cases.caseshare") == target_noun("sharing.caseshare") == "share"
assert target_noun("cases.breakglass") == target_noun("sharing.breakglass")
old_entry = AuditEvent.objects.filter(target_type="cases.breakglass").get()
assert AuditEvent.objects.filter(about_case(opening.case_id), pk=old_entry.pk).exists()

out = io.StringIO()
call_command("verify_audit_log", stdout=out)
call_command("verify_encryption", stdout=out)
print(out.getvalue())
print("MIGRATION-OK")
'''


def test_the_move_keeps_every_share_permission_document_and_audit_entry(tmp_path):
    env = {**os.environ, "SHELTER_ENV": "development", "SHELTER_VAR_DIR": str(tmp_path),
           "SHELTER_MEDIA_ROOT": str(tmp_path / "media"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "shelter.settings"}
    env.pop("SHELTER_MASTER_KEY_FILE", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "generate_master_key"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    result = subprocess.run([*manage, "shell", "--no-imports", "-c", SCRIPT], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=600)
    assert "MIGRATION-OK" in result.stdout, result.stdout[-3000:] + result.stderr[-5000:]
