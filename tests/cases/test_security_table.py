"""SECURITY.md's role table and the code must agree: the table is parsed and compared with
the table computed by `cases.policy_matrix.role_table` from the real policy functions."""

from __future__ import annotations

import datetime
import itertools
import re
from pathlib import Path

import pytest
from django.utils import timezone

from cases.policy_matrix import World, role_table
from cases.sharing.models import CaseShare
from cases.sharing.services import break_glass_open
from tests.factories import make_case, make_share, make_user

SECURITY_MD = Path(__file__).resolve().parents[2] / "SECURITY.md"


def documented_table() -> list[list[str]]:
    text = SECURITY_MD.read_text()
    section = text.split("## Who may see what", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
    assert cells[0][1:] == ["Coordinator", "Case officer", "Partner", "Auditor"]
    return [row for row in cells[2:] if not re.fullmatch(r"-+", row[0])]


@pytest.fixture
def world(carla, olaf, aud, ngo) -> World:
    case = make_case(carla, officer=olaf)
    other = make_case(carla, code_name="Ibis", legal_name="Juan Gómez", passport_number="X1")
    counter = itertools.count()

    def partner(sections, mode="read", expired=False):
        user = make_user(f"probe{next(counter)}@example.org", "Partner", ngo)
        if sections:
            share = make_share(case, carla, user=user, sections=sections, mode=mode)
            if expired:
                CaseShare.objects.filter(pk=share.pk).update(
                    expires_at=timezone.now() - datetime.timedelta(seconds=1))
        return user

    def glass(user, target):
        break_glass_open(case=target, acting_user=user, reason="probe")

    return World(coordinator=carla, officer=olaf, auditor=aud, case=case, other_case=other,
                 partner=partner, break_glass=glass)


def test_security_md_states_exactly_what_the_code_does(world):
    documented = documented_table()
    computed = role_table(world)
    assert [r[0] for r in documented] == [r[0] for r in computed]
    for doc_row, code_row in zip(documented, computed, strict=True):
        assert doc_row == code_row, f"SECURITY.md row {doc_row[0]!r} disagrees with the code"


def test_the_comparison_can_fail(world, monkeypatch):
    from cases.sharing import policies as sharing_policies

    monkeypatch.setattr(sharing_policies, "can_share", lambda user, case: True)
    assert documented_table() != role_table(world)
