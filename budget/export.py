"""The funder export (CSV and XLSX): aggregates only, with small counts suppressed.

What it holds: for a year (and optionally one intake round), per funder the number of
residencies, the yearly budget, the planned and the paid amounts; and per funder and category
the residencies, planned and paid. Funders and categories are organisations and cost types;
no code name, no legal name, no description, no reference, no date of a residency. There is no
per-residency sheet: one row per residency with its amounts and funder would single a person
out to anyone who knows when they stayed, and funders do not need it.

Small counts (`cases.selectors.SMALL_COUNT`, residencies not lines): a row backed by fewer
residencies is folded into an "… combined" row; if that row is still too small, the smallest
shown rows join it until it is not, so no suppressed amount can be worked out from a total or
from the other rows (the rule of `cases.selectors.protect_small_counts`, on sets of residencies).
Only when everything together is too small is the one remaining row shown without amounts, and
the total with it. There is deliberately no table per category across funders: together with
the per-funder rows it would give a folded cell away.

Every text cell starting with = + - @ (or a tab or carriage return) is prefixed with "'" so no
spreadsheet reads it as a formula. Amounts are Decimal (CSV: "1234.50"; XLSX: numeric cells
with two decimals), never float.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from budget.choices import Category
from cases.selectors import SMALL_COUNT

ZERO = Decimal("0.00")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Cell:
    label: str
    planned: Decimal | None = ZERO
    actual: Decimal | None = ZERO
    cases: set = field(default_factory=set)
    budget: Decimal | None = None
    key: str = ""

    @property
    def residencies(self) -> int | None:
        return len(self.cases) if len(self.cases) >= SMALL_COUNT else None


def protect(cells: list[Cell], others: str) -> list[Cell]:
    """`cells` with every one backed by fewer than SMALL_COUNT residencies folded into one
    `others` row, which takes in the smallest shown rows until it is big enough itself."""
    shown = sorted((c for c in cells if len(c.cases) >= SMALL_COUNT),
                   key=lambda c: (-len(c.cases), c.label))
    folded = [c for c in cells if len(c.cases) < SMALL_COUNT and c.cases]
    while folded and len(set().union(*(c.cases for c in folded))) < SMALL_COUNT and shown:
        folded.append(shown.pop())
    if folded:
        cases = set().union(*(c.cases for c in folded))
        big = len(cases) >= SMALL_COUNT
        shown.append(Cell(others, sum((c.planned for c in folded), ZERO) if big else None,
                          sum((c.actual for c in folded), ZERO) if big else None, cases,
                          key="others"))
    return shown


def _total(rows: Iterable[Cell], label: str) -> Cell:
    rows = list(rows)
    if any(r.planned is None for r in rows):
        return Cell(label, None, None, set().union(*(r.cases for r in rows)))
    return Cell(label, sum((r.planned for r in rows), ZERO), sum((r.actual for r in rows), ZERO),
                set().union(*(r.cases for r in rows)) if rows else set())


def tables(funders: list[Any], planned: dict, actual: dict, cases: dict,
           budgets: dict) -> dict[str, list[Cell]]:
    """The two tables of the export from the selectors' sums (see `budget.selectors`):
    {"funders": [...rows, total], "categories": [(funder label, [rows])...]}."""
    names = {f.code: f.name for f in funders}
    names[""] = _("Not on a budget line")
    categories = dict(Category.choices)
    categories[""] = _("Not on a budget line")
    keys = set(planned) | set(actual) | set(cases)
    by_funder: dict[str, dict[str, Cell]] = {}
    for funder_code, category in sorted(keys):
        cell = by_funder.setdefault(funder_code, {}).setdefault(
            category, Cell(str(categories.get(category, category)), key=category))
        cell.planned += planned.get((funder_code, category), (ZERO, 0))[0]
        cell.actual += actual.get((funder_code, category), (ZERO, 0))[0]
        cell.cases |= cases.get((funder_code, category), set())
    funder_cells = []
    for code, cells in by_funder.items():
        total = _total(cells.values(), str(names.get(code, code)))
        total.key = code
        total.budget = budgets.get(code)
        funder_cells.append(total)
    funder_rows = protect(funder_cells, _("Other funders combined"))
    per_category = [(row, protect(list(by_funder[row.key].values()),
                                  _("Other categories combined")))
                    for row in funder_rows if row.key != "others"]
    return {"funders": funder_rows, "total": _total(funder_rows, _("Total")),
            "categories": per_category}


def safe_text(value: Any) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _residencies(cell: Cell) -> int | str:
    if cell.residencies is None:
        return _("fewer than %(n)s") % {"n": SMALL_COUNT}
    return cell.residencies


def rows(data: dict, year: int, round_name: str) -> list[list[Any]]:
    """The export as rows of (text | Decimal | int | None) cells, both tables after a header."""
    found: list[list[Any]] = [
        [_("Shelter City budget"), _("Year"), year, _("Intake round"), round_name or _("All")],
        [_("Rows backed by fewer than %(n)s residencies are combined; amounts that could still "
           "identify a person are left out.") % {"n": SMALL_COUNT}],
        [],
        [_("Table"), _("Funder"), _("Category"), _("Residencies"), _("Yearly budget (€)"),
         _("Planned (€)"), _("Paid (€)")],
    ]
    for row in [*data["funders"], data["total"]]:
        found.append([_("By funder"), row.label, "", _residencies(row), row.budget, row.planned,
                      row.actual])
    for funder, cells in data["categories"]:
        for cell in cells:
            found.append([_("By funder and category"), funder.label, cell.label,
                          _residencies(cell), None, cell.planned, cell.actual])
    return found


def to_csv(table: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in table:
        writer.writerow([_amount(v) if isinstance(v, Decimal) else
                         "" if v is None else v if isinstance(v, int) else safe_text(v)
                         for v in row])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheets read UTF-8


def to_xlsx(table: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Budget")[:31]
    for r, row in enumerate(table, start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, Decimal):
                cell = sheet.cell(row=r, column=c, value=value)
                cell.number_format = "#,##0.00"
            elif isinstance(value, int) or value is None:
                sheet.cell(row=r, column=c, value=value)
            else:
                cell = sheet.cell(row=r, column=c, value=safe_text(value))
                cell.data_type = "s"  # never a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
