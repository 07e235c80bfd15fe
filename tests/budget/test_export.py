"""The funder export: aggregates only, no legal name or code name in its bytes (CSV, the XLSX
and the XML inside it), small counts folded so no suppressed amount can be worked out, cells
that would be formulas made text, and each download audited."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from budget import services
from shelter.audit import Action
from tests.factories import head_seq, make_case, make_line, make_paid, recorded

D = datetime.date
NAMES = ("Heron", "Ibis", "Jay", "Kite", "Lark")
LEGAL = {n: f"Legalname {n} Pérez" for n in NAMES}
SECRET = "Flight of Legalname"


@pytest.fixture
def world(carla):
    """Municipality: travel for 1-3, allowance for 1-4, medical 77.77 for 5 alone.
    Ministry: insurance for 1 alone. ProtectDefenders.eu: visa for 3-5."""
    cases = {n: make_case(carla, code_name=n, legal_name=LEGAL[n], passport_number=n)
             for n in NAMES}
    on = D(2027, 5, 1)
    for n in NAMES[:3]:
        line = make_line(cases[n], carla, category="travel", amount="100.00", on=on,
                         description=SECRET)
        make_paid(cases[n], carla, line, amount="90.00", on=on, reference=LEGAL[n])
    for n in NAMES[:4]:
        make_line(cases[n], carla, category="allowance", amount="1000.00", on=on)
    make_line(cases["Lark"], carla, category="medical", amount="77.77", on=on)
    make_line(cases["Heron"], carla, funder_code="ministry_foreign_affairs",
              category="insurance", amount="55.55", on=on)
    for n in NAMES[2:]:
        make_line(cases[n], carla, funder_code="protectdefenders", category="visa_passport",
                  amount="60.00", on=on)
    return cases


def download(client, kind):
    return client.get(reverse(f"budget:export_{kind}"), {"year": "2027"})


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_exports_hold_no_legal_name_code_name_or_free_text(as_user, carla, world):
    client = as_user(carla)
    csv_bytes = download(client, "csv").content
    xlsx_bytes = download(client, "xlsx").content
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes)) as archive:
        parts = [archive.read(name) for name in archive.namelist()]
    for blob in (csv_bytes, xlsx_bytes, *parts):
        for n in NAMES:
            assert LEGAL[n].encode() not in blob and n.encode() not in blob
            assert "Pérez".encode() not in blob
        assert SECRET.encode() not in blob


def test_small_counts_are_folded_so_no_amount_can_be_worked_out(as_user, carla, world):
    rows = csv_rows(download(as_user(carla), "csv"))
    by_funder = {r[1]: r for r in rows if r and r[0] == "By funder"}
    # the ministry (one residency) is folded with the smallest funder shown (ProtectDefenders)
    assert "Ministry of Foreign Affairs" not in by_funder
    assert "ProtectDefenders.eu" not in by_funder
    assert by_funder["Other funders combined"][3:] == ["4", "", "235.55", "0.00"]
    assert by_funder["Municipality"][3:] == ["5", "", "4377.77", "270.00"]
    assert by_funder["Total"][5:] == ["4613.32", "270.00"]
    categories = {r[2]: r for r in rows if r and r[0] == "By funder and category"}
    # medical (one residency) takes travel (the smallest shown) into a combined row
    assert set(categories) == {"Allowance", "Other categories combined"}
    assert categories["Allowance"][3:] == ["4", "", "4000.00", "0.00"]
    assert categories["Other categories combined"][3:] == ["4", "", "377.77", "270.00"]
    text = "\n".join(",".join(r) for r in rows)
    assert ",77.77," not in text and ",55.55," not in text


def test_too_few_residencies_show_no_amount_at_all(as_user, carla):
    case = make_case(carla, legal_name="Only One")
    make_line(case, carla, amount="123.45", on=D(2027, 1, 1))
    rows = csv_rows(download(as_user(carla), "csv"))
    assert "123.45" not in "\n".join(",".join(r) for r in rows)
    total = next(r for r in rows if len(r) > 1 and r[1] == "Total")
    assert total[3] == "fewer than 3" and total[5:] == ["", ""]


def test_xlsx_amounts_are_numbers_with_two_decimals(as_user, carla, world):
    book = load_workbook(io.BytesIO(download(as_user(carla), "xlsx").content))
    sheet = book.active
    found = {row[1].value: row for row in sheet.iter_rows() if row[0].value == "By funder"}
    planned = found["Municipality"][5]
    assert planned.value == pytest.approx(4377.77) and planned.number_format == "#,##0.00"
    assert planned.data_type == "n"


def test_text_that_looks_like_a_formula_is_made_text(as_user, carla, world):
    funder = services.funder_create(acting_user=carla, code="evil", name="=HYPERLINK(1)")
    for n in NAMES[:3]:
        services.budget_line_create(case=world[n], acting_user=carla, category="other",
                                    funder=funder, planned_amount=Decimal("1"),
                                    planned_on=D(2027, 1, 1))
    client = as_user(carla)
    rows = csv_rows(download(client, "csv"))
    assert any(r[1] == "'=HYPERLINK(1)" for r in rows if len(r) > 1)
    with zipfile.ZipFile(io.BytesIO(download(client, "xlsx").content)) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist())
    assert b"<f>" not in xml and b"'=HYPERLINK(1)" in xml


def test_each_download_is_audited_and_named_without_personal_data(as_user, carla, world):
    since = head_seq()
    response = download(as_user(carla), "xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="shelter-budget-2027.xlsx"'
    [event] = recorded(since, Action.BUDGET_EXPORT)
    assert event.facts["format"] == "xlsx" and event.facts["year"] == 2027
