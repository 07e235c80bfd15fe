"""The four role groups exist after migrate, with their model permissions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from shelter.accounts.roles import ROLE_PERMISSIONS, Role

pytestmark = pytest.mark.django_db


def test_all_four_roles_exist():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


@pytest.mark.parametrize("role", list(Role))
def test_role_has_exactly_its_permissions(role):
    group = Group.objects.get(name=role.value)
    actual = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert actual == set(ROLE_PERMISSIONS[role])


def test_coordinator_can_manage_users_and_auditor_cannot(carla, aud):
    assert carla.has_perm("accounts.add_user")
    assert not aud.has_perm("accounts.add_user")
