"""The page layout for small screens, as the templates give it: the documents and case-housing
tables stack into labelled cards (every data cell names its column in data-label), and the case
tabs are one strip with the current tab marked. The browser journey
(tests/browser/test_small_screens_journey.py) measures the result at 390 px."""

from __future__ import annotations

from html.parser import HTMLParser

from django.urls import reverse

from housing import services as housing_services
from tests.cases.matrix_world import upload_file
from tests.factories import day, make_case, make_unit


class Cells(HTMLParser):
    """The table.table--stack data cells of a page: their data-label and class."""

    def __init__(self) -> None:
        super().__init__()
        self.stacked_tables, self.cells, self._in_stack, self._in_body = 0, [], False, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._in_stack = "table--stack" in (attrs.get("class") or "").split()
            self.stacked_tables += self._in_stack
        elif tag == "tbody":
            self._in_body = True
        elif tag == "td" and self._in_stack and self._in_body:
            self.cells.append(attrs)

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._in_stack = False


def _cells(body: str) -> Cells:
    parser = Cells()
    parser.feed(body)
    return parser


def _labelled(cells: Cells) -> list[str]:
    plain = [c for c in cells.cells if not {"table__empty", "table__actions"}
             & set((c.get("class") or "").split())]
    assert all(c.get("data-label") for c in plain), plain
    return [c["data-label"] for c in plain]


def test_the_documents_table_stacks_into_labelled_cards(olaf, as_user):
    case = make_case(olaf, officer=olaf)
    client = as_user(olaf)
    client.post(reverse("cases:document_upload", args=[case.pk]),
                {"file": upload_file("passport_visa"), "category": "passport_visa"})
    response = client.get(reverse("cases:documents", args=[case.pk]))
    assert response.status_code == 200
    cells = _cells(response.content.decode())
    assert cells.stacked_tables == 1
    labels = _labelled(cells)
    assert {"Category", "Version", "Size", "Uploaded"} <= set(labels)


def test_the_case_housing_table_stacks_into_labelled_cards_in_dutch(olaf, as_user, settings):
    case = make_case(olaf, officer=olaf)
    unit = make_unit(olaf)
    housing_services.booking_create(unit=unit, case=case, start=day(1), end=day(10),
                                    acting_user=olaf)
    client = as_user(olaf)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    response = client.get(reverse("housing:case", args=[case.pk]))
    assert response.status_code == 200
    cells = _cells(response.content.decode())
    assert cells.stacked_tables == 1
    assert {"Aankomst", "Vertrek", "Nachten", "Status"} <= set(_labelled(cells))


def test_an_empty_documents_table_still_stacks(olaf, as_user):
    case = make_case(olaf, officer=olaf)
    response = as_user(olaf).get(reverse("cases:documents", args=[case.pk]))
    cells = _cells(response.content.decode())
    assert cells.stacked_tables == 1 and len(cells.cells) == 1
    assert "table__empty" in cells.cells[0]["class"]


def test_the_case_tabs_are_one_list_with_the_current_tab_marked(olaf, as_user):
    case = make_case(olaf, officer=olaf)
    body = as_user(olaf).get(reverse("cases:documents", args=[case.pk])).content.decode()
    nav = body[body.index('<nav class="tabs"'):]
    nav = nav[:nav.index("</nav>")]
    assert nav.count("<ul>") == 1 and nav.count("<li>") == 11  # 10 sections and Sharing
    assert nav.count('aria-current="page"') == 1
    assert 'aria-current="page">Documents</a>' in nav
    assert "shelter/js/app.js" in body  # the enhancement that scrolls it into view
