"""Playwright in Debian's Chromium, with axe-core run on every page a journey visits.

Without Chromium the browser tests are skipped with a loud notice, except where
SHELTER_REQUIRE_BROWSER=1 (CI), where a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.factories import A11yPage

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

CHROMIUM = os.environ.get("SHELTER_CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("SHELTER_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
_skipped_notice: list[str] = []


def _browser_missing() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM}"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _browser_missing()
    if not reason:
        return
    _skipped_notice.append(reason)
    if REQUIRED:
        return  # the chromium fixture fails each browser test
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_terminal_summary(terminalreporter):
    if _skipped_notice:
        line = "!" * 78
        terminalreporter.write_line(line, red=True, bold=True)
        terminalreporter.write_line(
            f"BROWSER TESTS {'FAILED' if REQUIRED else 'SKIPPED'}: {_skipped_notice[0]}. "
            "Install Debian's chromium (apt-get install chromium) to run them.",
            red=True, bold=True)
        terminalreporter.write_line(line, red=True, bold=True)


@pytest.fixture(scope="session")
def chromium():
    reason = _browser_missing()
    if reason:
        pytest.fail(f"browser tests are required here (SHELTER_REQUIRE_BROWSER=1): {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def a11y_page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    wrapped = A11yPage(page)
    yield wrapped
    context.close()
    wrapped.assert_all_checked()


@pytest.fixture
def relying_party(settings, live_server):
    """For the passkey journeys: the live server is the WebAuthn relying party (RP id
    "localhost", its origin the only one allowed)."""
    assert live_server.url.startswith("http://localhost:")
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
