"""A real OpenID provider on loopback for the tests (panva's oidc-provider in Node, provider.mjs).

`oidc_provider` starts it once per test session; `oidc` resets it before each test. Without Node
or without `npm ci --prefix tests/oidc` the tests that use it are skipped with the reason, except
where SHELTER_REQUIRE_BROWSER=1 (CI), where they fail: the single sign-on is then untested.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import pytest
import requests

if TYPE_CHECKING:
    from django.http import HttpResponse
    from django.test import Client

HERE = Path(__file__).resolve().parent
PROVIDER = HERE / "provider.mjs"
REQUIRED = os.environ.get("SHELTER_REQUIRE_BROWSER") == "1"
START_TIMEOUT = 20.0
CALLBACK_PATH = "/accounts/sso/callback/"
SIGNED_OUT_PATH = "/accounts/sign-in/"
_LOGIN_FORM = re.compile(r'<form method="post" action="(/interaction/[^"]+/login)"')
_LOGOUT_FORM = re.compile(r'<form [^>]*action="([^"]+)"')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def provider_missing() -> str | None:
    """Why the provider cannot run here, or None."""
    if not shutil.which("node"):
        return "Node.js is not installed (apt-get install nodejs npm)"
    if not (HERE / "node_modules" / "oidc-provider" / "package.json").exists():
        return "the OpenID provider's packages are missing (npm ci --prefix tests/oidc)"
    return None


class OIDCProvider:
    """The running provider and its control API (/_test/ in provider.mjs)."""

    client_id = "shelter"

    def __init__(self) -> None:
        self.client_secret = secrets.token_hex(24)
        self.issuer = ""
        self.agent = requests.Session()  # the user's browser, as far as the provider sees it
        self._log = tempfile.TemporaryFile()
        self._process: subprocess.Popen | None = None

    # --- life ----------------------------------------------------------------------------------

    def start(self) -> None:
        env = {**os.environ, "OIDC_CLIENT_SECRET": self.client_secret}
        self._process = subprocess.Popen(
            ["node", str(PROVIDER), "0", "--exit-with-stdin"], cwd=HERE, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, text=True)
        self.issuer = self._read_issuer()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                if requests.get(self.discovery_url, timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"no discovery document at {self.discovery_url}: {self.log()}")

    def _read_issuer(self) -> str:
        # The first line names the port; a thread so that a silent process cannot hang the run.
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self._process.stdout.readline()),
                                  daemon=True)
        reader.start()
        reader.join(START_TIMEOUT)
        if not line or not line[0].startswith("LISTENING "):
            self.stop()
            raise RuntimeError(f"the OpenID provider did not start: {self.log()}")
        return line[0].split(" ", 1)[1].strip()

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)

    def log(self) -> str:
        """What the provider wrote on stderr (its warnings and errors), for failure messages."""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-4000:]

    # --- the control API -----------------------------------------------------------------------

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def _control(self, name: str, body: object) -> None:
        response = requests.post(f"{self.issuer}/_test/{name}", json=body, timeout=10)
        assert response.status_code == 200, f"/_test/{name}: {response.text}"

    def set_accounts(self, *accounts: dict) -> None:
        """Replace the provider's accounts: dicts of sub, email, email_verified, amr (a list),
        acr and optionally groups (a list). amr defaults to ["pwd"], email_verified to True."""
        self._control("accounts", list(accounts))

    def allow_redirects(self, *base_urls: str) -> None:
        """Let Shelter at each base URL ("http://testserver", live_server.url) be redirected to:
        its callback after sign-in, its sign-in page after logout."""
        bases = [base.rstrip("/") for base in base_urls]
        self._control("redirect_uris", {
            "redirect_uris": [base + CALLBACK_PATH for base in bases],
            "post_logout_redirect_uris": [base + SIGNED_OUT_PATH for base in bases],
        })

    def tamper(self, mode: str | None) -> None:
        """Alter the next ID tokens from the token endpoint: "audience", "expired", "signature",
        "issuer", "nonce", "none" (unsigned); None issues them untouched again."""
        self._control("tamper", {"mode": mode})

    def rotate_keys(self) -> None:
        """Sign with a new key (new kid) from now on; the JWKS publishes only that one."""
        self._control("rotate", {})

    def reset(self) -> None:
        """No accounts, no redirect URIs allowed, no tampering, the original key, the logout
        count at 0, and a fresh browser for the flows over HTTP."""
        self._control("reset", {})
        self.agent = requests.Session()

    def logouts(self) -> int:
        """How many RP-initiated logouts (end_session) the provider completed since reset."""
        return requests.get(f"{self.issuer}/_test/ended", timeout=10).json()["ended"]

    # --- flows without a browser ---------------------------------------------------------------

    def login_via_http(self, client: Client, start_path: str, sub: str,
                       follow_start: bool = True) -> HttpResponse:
        """Drive a whole authorization code flow and return Shelter's response to the callback
        (not followed). `client` asks Shelter at start_path; with follow_start, redirects inside
        Shelter are followed until one leads to the provider. The provider's side is walked by
        `self.agent`, which signs in as `sub` on the login page if the provider shows it."""
        response = client.get(start_path)
        location = response.get("Location", "")
        while follow_start and response.status_code in (301, 302, 303) and _is_local(location):
            response = client.get(location)
            location = response.get("Location", "")
        assert location.startswith(self.issuer + "/"), (
            f"{start_path} answered {response.status_code} to {location!r}, not to the provider")
        back = self.walk(location, sub)
        parts = urlsplit(back)
        assert _is_local(back), f"the provider sent the user to {back!r}, not to Shelter"
        return client.get(f"{parts.path}?{parts.query}" if parts.query else parts.path)

    def walk(self, url: str, sub: str) -> str:
        """Follow the provider's pages from url (signing in as sub) to the redirect that leaves
        it; return that Location."""
        for _ in range(20):
            if not url.startswith(self.issuer + "/"):
                return url
            page = self.agent.get(url, allow_redirects=False, timeout=10)
            form = _LOGIN_FORM.search(page.text) if page.status_code == 200 else None
            if form:
                page = self.agent.post(urljoin(self.issuer, form.group(1)), data={"login": sub},
                                       allow_redirects=False, timeout=10)
            if page.status_code not in (302, 303):
                raise AssertionError(f"provider answered {page.status_code} at {url}: "
                                     f"{page.text[:500]}")
            url = urljoin(url, page.headers["Location"])
        raise AssertionError("the provider redirected more than 20 times")

    def logout_via_http(self, end_session_url: str) -> str:
        """Walk RP-initiated logout as the browser would (its page sends the "yes" form by
        script; here it is posted) and return where the provider sends the user afterwards."""
        page = self.agent.get(end_session_url, allow_redirects=False, timeout=10)
        form = _LOGOUT_FORM.search(page.text)
        assert page.status_code == 200 and form, f"no logout form: {page.status_code} {page.text}"
        data = dict(_HIDDEN.findall(page.text)) | {"logout": "yes"}
        done = self.agent.post(urljoin(self.issuer, form.group(1)), data=data,
                               allow_redirects=False, timeout=10)
        assert done.status_code in (302, 303), f"logout: {done.status_code} {done.text[:500]}"
        return urljoin(self.issuer, done.headers["Location"])


def _is_local(location: str) -> bool:
    parts = urlsplit(location)
    return not parts.netloc or parts.netloc == "testserver"


@pytest.fixture(scope="session")
def oidc_provider():
    """The provider, started once per test session on a free loopback port."""
    reason = provider_missing()
    if reason:
        if REQUIRED:
            pytest.fail(f"the OpenID provider is required (SHELTER_REQUIRE_BROWSER=1): {reason}")
        pytest.skip(reason)
    provider = OIDCProvider()
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
def oidc(oidc_provider) -> OIDCProvider:
    """The provider, reset (see OIDCProvider.reset): a test allows its own redirect URIs."""
    oidc_provider.reset()
    return oidc_provider
