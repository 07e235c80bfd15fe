"""Print fresh backup codes for every demo user (not in production).

Each run replaces the demo users' backup codes (the old ones stop working); passwords,
authenticators and sessions stay as they are.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from shelter.accounts import services
from shelter.accounts.management.commands.seed_demo import (
    DEMO_BACKUP_CODES,
    USERS,
    refuse_production,
)
from shelter.accounts.models import User


class Command(BaseCommand):
    help = "Print fresh backup codes for the demo users; nothing else changes (not in production)."

    def handle(self, *args, **options) -> None:
        refuse_production("demo_codes")
        users = {u.email: u for u in User.objects.filter(email__in=[row[0] for row in USERS],
                                                          is_active=True)}
        if not users:
            self.stdout.write("No demo users yet: run `make seed` first.")
            return
        self.stdout.write("\nFresh backup codes (each works once; older codes no longer work):\n")
        for email, _name, _role, _i in USERS:
            if user := users.get(email):
                codes = services.backup_codes_issue(user=user, count=DEMO_BACKUP_CODES)
                self.stdout.write(f"  {user.role:<13} {email:<28} {'  '.join(codes)}")
        self.stdout.write("")
