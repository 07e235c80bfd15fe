"""Create demo organisations and one user per role, and print how to sign in as each.

Idempotent: running it again keeps the same accounts, sets fresh passwords and issues fresh
backup codes (the old ones stop working). Apps add their own demo data through a `demo`
module with a `seed(stdout)` function. Refuses to run in production.
"""

from __future__ import annotations

import importlib
import secrets

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shelter.accounts import services
from shelter.accounts.models import AuthenticatorDevice, Organisation, User
from shelter.accounts.roles import Role

ORGANISATIONS = [
    ("Gemeente Havenstad", Organisation.Kind.MUNICIPALITY),
    ("Nationaal Coördinatiepunt Shelter City (demo)", Organisation.Kind.COORDINATING_NGO),
    ("Universiteit Havenstad (demo)", Organisation.Kind.UNIVERSITY),
    ("Praktijk Vogelzang Psychologie (demo)", Organisation.Kind.PSYCHOLOGIST),
]

# email, full name, role, organisation index
USERS = [
    ("carla@demo.shelter.test", "Carla Coördinator", Role.COORDINATOR, 0),
    ("olaf@demo.shelter.test", "Olaf Officer", Role.CASE_OFFICER, 0),
    ("otto@demo.shelter.test", "Otto Officer", Role.CASE_OFFICER, 0),
    ("pia@demo.shelter.test", "Pia Partner", Role.PARTNER, 1),
    ("paul@demo.shelter.test", "Paul Partner", Role.PARTNER, 2),
    ("aud@demo.shelter.test", "Aud Auditor", Role.AUDITOR, 0),
]


class Command(BaseCommand):
    help = "Create demo organisations, one user per role and demo cases (not in production)."

    def handle(self, *args, **options) -> None:
        if settings.SHELTER_ENV == "production":
            raise CommandError("seed_demo refuses to run with SHELTER_ENV=production.")
        with transaction.atomic():
            organisations = [self._organisation(name, kind) for name, kind in ORGANISATIONS]
            rows = [self._user(email, name, role, organisations[i])
                    for email, name, role, i in USERS]
        for app_config in apps.get_app_configs():
            try:
                demo = importlib.import_module(f"{app_config.name}.demo")
            except ModuleNotFoundError:
                continue
            demo.seed(self.stdout)
        self._print(rows)

    def _organisation(self, name: str, kind: str) -> Organisation:
        existing = Organisation.objects.filter(name=name).first()
        return existing or services.organisation_create(name=name, kind=kind, acting_user=None)

    def _user(self, email: str, name: str, role: str, organisation: Organisation) -> dict:
        user = User.objects.filter(email=email).first()
        if user is None:
            user, _path = services.user_invite(email=email, full_name=name, role=role,
                                               organisation=organisation, acting_user=None)
        password = "demo-" + secrets.token_urlsafe(9)
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        if not AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists():
            services.totp_device_confirm(device=services.totp_device_pending(user=user))
        device = AuthenticatorDevice.objects.get(user=user, confirmed=True)
        codes = services.backup_codes_issue(user=user, count=5)
        return {"user": user, "password": password, "codes": codes, "totp": device.config_url}

    def _print(self, rows: list[dict]) -> None:
        self.stdout.write("\nDemo accounts (sign in with the password, then ONE backup code;")
        self.stdout.write("each code works once; run `make seed` again for new ones):\n")
        for row in rows:
            user = row["user"]
            self.stdout.write(f"  {user.role:<13} {user.email:<28} password: {row['password']}")
            self.stdout.write(f"  {'':<13} backup codes: {'  '.join(row['codes'])}")
        self.stdout.write("")
