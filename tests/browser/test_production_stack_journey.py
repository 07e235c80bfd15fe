"""A case officer's day on the production stack: gunicorn with production settings over HTTPS
(a self-signed certificate made for the test), static files from `collectstatic` through
whitenoise, the demo data. She signs in with her password and a backup code, finds a case,
uploads a passport scan, downloads it back byte for byte and signs out. Every answer carries
HSTS, every cookie is Secure, the stylesheet comes under its hashed name with a long cache, and
the server's log holds none of the demo's personal data."""

from __future__ import annotations

import json
import os
import re

import pytest
from django.conf import settings

from cases.demo import DEMO
from shelter.accounts.management.commands.seed_demo import USERS
from tests.factories import A11yPage
from tests.ops.stack import GUNICORN, access_lines, production_stack

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")]

OFFICER = "olaf@demo.shelter.test"


def demo_credentials(seed_output: str, email: str) -> tuple[str, list[str]]:
    """The password and backup codes `seed_demo` printed for `email`."""
    lines = seed_output.splitlines()
    for i, line in enumerate(lines):
        if email in line and "password: " in line:
            codes = lines[i + 1].split("backup codes:", 1)[1].split()
            return line.split("password: ", 1)[1].strip(), codes
    raise AssertionError(f"seed_demo printed no credentials for {email}")


def personal_data() -> list[str]:
    """The demo's defenders' names, passports and e-mail addresses, and its users' addresses
    and names."""
    values = []
    for code, name, passport, *_rest in DEMO:
        values += [name, *name.split(), passport, f"{code.lower()}@example.invalid"]
    for email, full_name, *_rest in USERS:
        values += [email, full_name, *full_name.split()]
    return [v for v in values if len(v) >= 4 and v != "Demo"]


def test_a_case_officer_works_on_the_production_stack(chromium, tmp_path):
    from playwright.sync_api import expect

    with production_stack(tmp_path, seed=True) as stack:
        password, codes = demo_credentials((tmp_path / "seed.txt").read_text(), OFFICER)
        manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
        stylesheet = manifest["shelter/css/app.css"]

        # The certificate is the test's own; the browser is told to accept it.
        context = chromium.new_context(base_url=stack.url, locale="en-GB",
                                       ignore_https_errors=True, accept_downloads=True)
        page = context.new_page()
        a11y_page = A11yPage(page)
        responses, problems = [], []
        page.on("response", lambda response: responses.append(response))
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda message: message.type == "error"
                and problems.append(message.text))
        try:
            page.goto("/")
            page.wait_for_url("**/accounts/sign-in/**")
            a11y_page.check()
            page.get_by_label("E-mail address").fill(OFFICER)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Continue").click()
            page.wait_for_url("**/accounts/verify/**")
            a11y_page.check()
            page.get_by_label("Code").fill(codes[0])
            page.get_by_role("button", name="Confirm").click()
            page.get_by_role("heading", name=re.compile("Olaf Officer")).wait_for()
            a11y_page.check()

            # A search by the defender's name (sent in the body, never in the address).
            page.goto("/cases/?stage=nominated")
            a11y_page.check()
            page.get_by_label("Name, passport number or code name").fill("Ana Demo Pérez")
            page.get_by_role("button", name="Search").click()
            page.wait_for_url("**/cases/search/")
            a11y_page.check()
            page.get_by_role("link", name="Heron").first.click()
            page.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}/$"))
            a11y_page.check()
            case_url = page.url

            page.get_by_role("navigation", name="Case sections").get_by_role(
                "link", name="Documents").click()
            a11y_page.check()
            content = b"%PDF-1.4\n" + os.urandom(600 * 1024)
            scan = tmp_path / "passport-scan.pdf"
            scan.write_bytes(content)
            page.get_by_label("File").set_input_files(str(scan))
            page.get_by_label("Category").select_option(label="Passport and visa")
            page.get_by_role("button", name="Upload").click()
            page.wait_for_url(case_url + "documents/")
            a11y_page.check()
            row = page.get_by_role("row").filter(has_text="passport-scan.pdf")
            expect(row).to_contain_text("Passport and visa")
            with page.expect_download() as download:
                row.get_by_role("link", name="passport-scan.pdf", exact=True).click()
            assert download.value.suggested_filename == "passport-scan.pdf"
            with open(download.value.path(), "rb") as downloaded:
                assert downloaded.read() == content

            cookies = {cookie["name"]: cookie for cookie in context.cookies()}
            page.get_by_role("button", name="Sign out").click()
            page.get_by_text("You are signed out.").wait_for()
            a11y_page.check()
            page.goto("/cases/")
            assert "/accounts/sign-in/" in page.url
        finally:
            context.close()
        a11y_page.assert_all_checked()
        failed = [(r.status, r.url) for r in responses if r.status >= 400]
        assert not problems and not failed, (problems, failed)

        # Every answer of the site came over HTTPS with HSTS.
        ours = [r for r in responses if r.url.startswith(stack.url)]
        assert ours and all(r.url.startswith("https://") for r in ours)
        for response in ours:
            assert response.headers.get("strict-transport-security", "").startswith(
                "max-age=31536000"), response.url
        # Secure cookies: the session's HttpOnly and Lax, the CSRF token Secure too.
        assert cookies, "the signed-in browser holds no cookie"
        assert all(cookie["secure"] for cookie in cookies.values()), cookies
        session = cookies[settings.SESSION_COOKIE_NAME]
        assert session["httpOnly"] and session["sameSite"] == "Lax"
        # The stylesheet under its hashed name from collectstatic, cached for long.
        sheet = [r for r in ours if r.url.endswith("/static/" + stylesheet)]
        assert sheet, f"the pages did not load {stylesheet}"
        assert "immutable" in sheet[0].headers["cache-control"]

        assert stack.stop() == 0
        log = stack.log.read_text()
        access = "\n".join(access_lines(log))
        assert '"GET /cases/ HTTP/1.1" 200' in access
        assert '"POST /cases/search/ HTTP/1.1" 200' in access
        assert "stage=" not in log and "Heron" not in log and "passport-scan" not in log
        leaked = [value for value in personal_data() if value in log]
        assert not leaked, leaked
        for code in codes:
            assert code not in log
        assert password not in log
