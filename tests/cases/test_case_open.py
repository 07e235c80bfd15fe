"""services.case_open: a new defender and their case in one transaction."""

from __future__ import annotations

import pytest

from cases import services
from cases.models import Case, Defender


def test_opening_a_case_registers_the_defender_and_the_case(carla):
    case = services.case_open(acting_user=carla, defender_values={
        "code_name": "Osprey", "legal_name": "Juana Ríos"}, risk_level="low")
    assert case.defender.code_name == "Osprey" and case.stage == Case.Stage.NOMINATED
    assert case.nominated_on is not None


def test_a_failure_leaves_no_half_registered_defender(carla, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "case_create", broken)
    with pytest.raises(RuntimeError):
        services.case_open(acting_user=carla, defender_values={
            "code_name": "Osprey", "legal_name": "Juana Ríos"})
    assert not Defender.objects.exists()


def test_services_refuse_unknown_fields(carla):
    with pytest.raises(TypeError):
        services.case_open(acting_user=carla, defender_values={"code_name": "X",
                                                               "stage": "closed"})
