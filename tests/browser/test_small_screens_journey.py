"""Error pages and small screens, in English and Dutch: a signed-in officer's 403 and 404 pages
keep the header, the menu and sign-out; at 390 px the documents and case-housing pages fit the
screen, and the case tabs are one row that the Tab key walks through. axe-core checks every page
at 1280 px and 390 px."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.urls import reverse

from housing import services as housing_services
from tests.cases.matrix_world import upload_file
from tests.factories import A11yPage, day, make_case, make_unit, make_user, verified_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 800}
TEXT = {
    "en": {"locale": "en-GB", "sign_out": "Sign out", "menu": "Main navigation",
           "no_access": "No access", "not_found": "Page not found", "tabs": "Case sections",
           "documents": "Documents", "housing": "Housing", "file": "Category"},
    "nl": {"locale": "nl-NL", "sign_out": "Uitloggen", "menu": "Hoofdnavigatie",
           "no_access": "Geen toegang", "not_found": "Pagina niet gevonden",
           "tabs": "Onderdelen van het dossier", "documents": "Documenten",
           "housing": "Huisvesting", "file": "Categorie"},
}


@pytest.fixture(params=["en", "nl"])
def language(request) -> str:
    return request.param


@pytest.fixture
def page_in(chromium, live_server, language):
    context = chromium.new_context(base_url=live_server.url, locale=TEXT[language]["locale"])
    wrapped = A11yPage(context.new_page())
    yield wrapped
    context.close()
    wrapped.assert_all_checked()


@pytest.fixture
def world(db):
    from shelter.accounts.models import Organisation
    from shelter.accounts.roles import Role

    municipality = Organisation.objects.create(name="Gemeente", kind="municipality")
    officer = make_user("olga@example.org", Role.CASE_OFFICER, municipality)
    case = make_case(officer, officer=officer, legal_name="Ana Demo Pérez")
    client = verified_client(officer)
    for _ in range(2):  # two versions: a longer table
        client.post(reverse("cases:document_upload", args=[case.pk]),
                    {"file": upload_file("passport_visa"), "category": "passport_visa"})
    unit = make_unit(officer, code_name="Linden-Riverside-Apartment-3")
    housing_services.booking_create(unit=unit, case=case, start=day(1), end=day(40),
                                    acting_user=officer)
    return officer, case


def sign_in(a11y_page, live_server, user) -> None:
    cookie = verified_client(user).cookies[settings.SESSION_COOKIE_NAME]
    a11y_page.page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                                         "value": cookie.value, "url": live_server.url}])


def assert_chrome(page, text: dict, user) -> None:
    """The normal header: brand, the user's name, sign-out, language switch, the main menu."""
    from playwright.sync_api import expect

    header = page.locator("header.site-header")
    expect(header.get_by_role("link", name="Shelter")).to_be_visible()
    expect(header.get_by_text(user.full_name)).to_be_visible()
    expect(header.get_by_role("button", name=text["sign_out"])).to_be_visible()
    expect(header.locator("form.language-switch button")).to_be_visible()
    menu = page.get_by_role("navigation", name=text["menu"])
    expect(menu).to_be_visible()
    assert menu.get_by_role("link").count() >= 3  # dashboard, cases, housing


def assert_fits(page, width: int = 390) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide at {width} px"


def test_error_pages_and_small_screens(page_in, live_server, world, language):
    from playwright.sync_api import expect

    officer, case = world
    text = TEXT[language]
    page = page_in.page
    sign_in(page_in, live_server, officer)

    # 403: a case officer opens the coordinators' people page.
    response = page.goto("/accounts/people/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(text["no_access"])
    assert page.locator("html").get_attribute("lang") == language
    assert_chrome(page, text, officer)
    page_in.check()
    page.set_viewport_size(PHONE)
    assert_fits(page)

    # 404: a case that does not exist (or is not theirs).
    page.set_viewport_size({"width": 1280, "height": 800})
    response = page.goto(f"/cases/{uuid.uuid4()}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(text["not_found"])
    assert_chrome(page, text, officer)
    page_in.check()
    page.set_viewport_size(PHONE)
    assert_fits(page)
    # Signing out from the error page works.

    # At 390 px: documents and case housing fit, the tabs are one scrolling row.
    for path, tab in ((f"/cases/{case.pk}/documents/", text["documents"]),
                      (f"/housing/case/{case.pk}/", text["housing"])):
        page.goto(path)
        page_in.check()  # restores the phone width afterwards
        assert page.viewport_size["width"] == 390
        assert_fits(page)
        tabs = page.get_by_role("navigation", name=text["tabs"])
        strip = tabs.locator("ul").bounding_box()
        assert strip["height"] <= 60, f"the tabs take {strip['height']} px"
        assert strip["x"] >= 0 and strip["x"] + strip["width"] <= 390
        current = tabs.locator('[aria-current="page"]')
        expect(current).to_have_text(tab)
        page.wait_for_timeout(300)  # app.js brings it back into view after the resize
        box = current.bounding_box()  # the current tab is scrolled into view
        assert box["x"] >= strip["x"] - 1
        assert box["x"] + box["width"] <= strip["x"] + strip["width"] + 1
        # Every tab is reachable by keyboard: Tab moves focus through them, in order.
        links = tabs.get_by_role("link")
        count = links.count()
        assert count == 11  # ten sections (Logistics and Budget among them) and Sharing
        links.first.focus()
        for index in range(count):
            focused = page.evaluate("document.activeElement.textContent.trim()")
            assert focused == links.nth(index).inner_text().strip()
            box = links.nth(index).bounding_box()  # and scrolled into view when focused
            assert box["x"] >= strip["x"] - 1, focused
            assert box["x"] + box["width"] <= strip["x"] + strip["width"] + 1, focused
            page.keyboard.press("Tab")

    # The stacked tables: each cell labelled with its column, no sideways scrolling.
    page.goto(f"/cases/{case.pk}/documents/")
    page_in.check()
    table = page.locator("table.table--stack")
    label = table.locator("td[data-label]").first.evaluate(
        "cell => getComputedStyle(cell, '::before').content")
    assert text["file"] in label
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth + 1")

    # History at 390 px: its tables scroll inside themselves, take focus from the keyboard and
    # show the focus ring; the page itself does not scroll sideways.
    page.goto(f"/cases/{case.pk}/history/")
    page_in.check()
    assert_fits(page)
    page.get_by_role("navigation", name=text["tabs"]).locator('[aria-current="page"]').focus()
    for _ in range(10):  # past the remaining tabs to the first table
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "TABLE":
            break
    focused = page.evaluate("""() => {
        const el = document.activeElement, style = getComputedStyle(el);
        return {tag: el.tagName, visible: el.matches(':focus-visible'),
                outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
                scrolls: el.scrollWidth > el.clientWidth};
    }""")
    assert focused["tag"] == "TABLE" and focused["visible"], focused
    assert focused["outline"] == "solid" and focused["width"] >= 2, focused

    # Sign out from the 404 page: the header's form works there too.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"/cases/{uuid.uuid4()}/")
    page_in.check()
    page.locator("header.site-header").get_by_role("button", name=text["sign_out"]).click()
    page.wait_for_url("**/accounts/sign-in/**")
    page_in.check()


def test_without_javascript_the_tabs_are_still_one_row_and_the_pages_fit(chromium, live_server,
                                                                         world):
    """The script only brings the current tab into view: the layout needs none of it. (axe
    itself needs JavaScript; the journey above checks these pages with it.)"""
    officer, case = world
    context = chromium.new_context(base_url=live_server.url, locale="nl-NL",
                                   java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        cookie = verified_client(officer).cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                              "url": live_server.url}])
        for path in (f"/cases/{case.pk}/documents/", f"/housing/case/{case.pk}/"):
            page.goto(path)
            assert_fits(page)
            strip = page.get_by_role("navigation", name=TEXT["nl"]["tabs"]).locator("ul")
            assert strip.bounding_box()["height"] <= 60
            assert strip.get_by_role("link").count() == 11
    finally:
        context.close()
