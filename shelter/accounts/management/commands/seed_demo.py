"""Create demo organisations and one user per role, and print how to sign in as each.

Idempotent, and gentle with what exists: only missing organisations, users and demo data are
made. A demo user who already exists keeps their password, second factor, backup codes and
sessions, so `make run` again does not sign anyone out. A new user's password and backup codes
are printed once; `manage.py demo_codes` prints fresh backup codes whenever needed. Apps add
their own demo data through a `demo` module with a `seed(stdout)` function. Refuses to run in
production.
"""

from __future__ import annotations

import importlib
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shelter.accounts import services
from shelter.accounts.models import Organisation, User
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
DEMO_BACKUP_CODES = 5


def refuse_production(command: str) -> None:
    if settings.SHELTER_ENV == "production":
        raise CommandError(f"{command} refuses to run with SHELTER_ENV=production.")


@contextmanager
def quiet_key_creation() -> Iterator[None]:
    """Seeding makes a data key per defender and case, and a new key file gets its key checks;
    each is logged at INFO by shelter.crypto, which in production is worth keeping. Here it
    buries the demo accounts in the output."""
    crypto = logging.getLogger("shelter.crypto")
    before = crypto.level
    crypto.setLevel(logging.WARNING)
    try:
        yield
    finally:
        crypto.setLevel(before)


class Command(BaseCommand):
    help = "Create missing demo organisations, users (one per role) and demo data; keeps " \
           "existing users' passwords, second factors and sessions (not in production)."

    def execute(self, *args, **options):
        # The system checks before `handle` store the key checks of a new key file: quiet too.
        with quiet_key_creation():
            return super().execute(*args, **options)

    def handle(self, *args, **options) -> None:
        refuse_production("seed_demo")
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
        existing = User.objects.filter(email=email).first()
        if existing is not None:
            return {"user": existing}
        user, _path = services.user_invite(email=email, full_name=name, role=role,
                                           organisation=organisation, acting_user=None)
        password = "demo-" + secrets.token_urlsafe(9)
        services.user_accept_invitation(user=user, password=password)
        services.totp_device_confirm(device=services.totp_device_pending(user=user))
        codes = services.backup_codes_issue(user=user, count=DEMO_BACKUP_CODES)
        return {"user": user, "password": password, "codes": codes}

    def _print(self, rows: list[dict]) -> None:
        new = [row for row in rows if "password" in row]
        kept = [row["user"] for row in rows if "password" not in row]
        if new:
            self.stdout.write("\nNew demo accounts (sign in with the password, then ONE backup "
                              "code; each code works once):\n")
            for row in new:
                user = row["user"]
                self.stdout.write(f"  {user.role:<13} {user.email:<28} password: {row['password']}")
                self.stdout.write(f"  {'':<13} backup codes: {'  '.join(row['codes'])}")
        if kept:
            self.stdout.write("\nDemo accounts kept as they were (password, second factor and "
                              "sessions unchanged): " + ", ".join(u.email for u in kept))
            self.stdout.write("Fresh backup codes: `manage.py demo_codes`. Forgot a password? "
                              "Use \"Forgot your password?\" on the sign-in page: in development "
                              "the mail appears in this terminal.")
        self.stdout.write("")
