"""seed_demo: one user per role, idempotent, and the printed backup codes really sign in."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from shelter.accounts.models import Organisation, User
from shelter.accounts.roles import Role

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_is_idempotent_and_prints_working_credentials():
    _seed()
    output = _seed()
    assert User.objects.filter(email__endswith="@demo.shelter.test").count() == 6
    assert Organisation.objects.filter(kind="municipality").count() == 1
    assert {u.role for u in User.objects.all()} == {r.value for r in Role}
    match = re.search(r"olaf@demo\.shelter\.test\s+password: (\S+)\s+backup codes: (\S+)", output)
    password, code = match.groups()
    client = Client()
    client.post("/accounts/sign-in/", {"email": "olaf@demo.shelter.test", "password": password})
    assert client.post("/accounts/verify/", {"code": code}).status_code == 302
    assert client.get("/").status_code == 200


def test_seed_demo_refuses_production(settings):
    from django.core.management.base import CommandError

    settings.SHELTER_ENV = "production"
    with pytest.raises(CommandError):
        _seed()
