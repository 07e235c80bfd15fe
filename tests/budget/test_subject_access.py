"""The defender's subject-access export holds the budget of their residencies: lines with their
descriptions and payments with their references, amounts as exact decimal text."""

from __future__ import annotations

import json

from django.urls import reverse

from tests.factories import fresh_client, make_line, make_paid


def test_the_subject_access_export_holds_budget_lines_and_payments(carla, case):
    line = make_line(case, carla, category="travel", amount="640.10",
                     description="Flight home")
    make_paid(case, carla, line, amount="612.40", reference="BANK-REF-1")
    response = fresh_client(carla).post(reverse("cases:export", args=[case.pk]))
    assert response.status_code == 200
    [exported] = json.loads(response.content)["cases"]
    [budget_line] = exported["budget_lines"]
    assert budget_line["description"] == "Flight home"
    assert (budget_line["planned_amount"], budget_line["funder"]) == ("640.10", "Municipality")
    [payment] = exported["payments"]
    assert (payment["amount"], payment["reference"], payment["status"]) == (
        "612.40", "BANK-REF-1", "paid")
