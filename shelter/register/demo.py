"""The demo's register: the eight activities of the first migration, and a second version of
"sharing" (the psychologist's agreement renewed), so the history shows how a change reads.
Idempotent: a register that has moved on is left as it is."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from shelter.accounts.models import User
from shelter.register import services
from shelter.register.catalogue import INITIAL
from shelter.register.models import ActivityVersion


def seed(stdout: Any) -> None:
    for code, texts in INITIAL.items():  # a database from before the register, seeded now
        if not ActivityVersion.objects.filter(code=code).exists():
            ActivityVersion.objects.create(code=code, version=1, change_note="First version",
                                           changed_at=timezone.now(), **texts)
    sharing = ActivityVersion.objects.filter(code="sharing").order_by("-version")
    if sharing.count() == 1:
        first = sharing.get()
        carla = User.objects.filter(email="carla@demo.shelter.test").first()
        texts = {name: getattr(first, name) for name in ActivityVersion.TEXT_FIELDS}
        texts["recipients"] += (" The agreement with the psychologist was renewed for the "
                                "demo year; it now covers video sessions.")
        services.version_create(code="sharing", acting_user=carla, based_on=1,
                                change_note="Demo: the psychologist's agreement renewed",
                                **texts)
        stdout.write("Register: a second version of \"Sharing with network partners\".")

