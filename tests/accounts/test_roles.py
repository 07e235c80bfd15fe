"""The four role groups exist after migrate."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from shelter.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_all_four_roles_exist():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}
