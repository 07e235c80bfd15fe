from __future__ import annotations

import shutil

import pytest

from shelter import health
from shelter.crypto import keyfile, providers


@pytest.fixture(autouse=True)
def fresh_probe_state(monkeypatch):
    """Each test starts with an unused budget, no remembered answer and no remembered
    migration check."""
    monkeypatch.setattr(health, "_budget", health._Budget())
    monkeypatch.setattr(health, "_migrations_ok_until", 0.0)
    monkeypatch.setattr(health, "_last_ready", None)


@pytest.fixture
def wrong_key_file(tmp_path, settings):
    """The database's key checks stored under the suite's key file, then a switch to a valid
    key file of another installation; the suite's own one again afterwards."""
    from shelter import audit

    right, wrong = tmp_path / "right.json", tmp_path / "wrong.json"
    shutil.copy(settings.SHELTER_MASTER_KEY_FILE, right)
    right.chmod(0o600)
    keyfile.generate_key_file(wrong)
    providers.reset_provider()  # verify afresh: the first use stores the right keys' checks
    audit.record(None, audit.Action.CASE_LIST)
    settings.SHELTER_MASTER_KEY_FILE = str(wrong)
    providers.reset_provider()
    yield wrong
    settings.SHELTER_MASTER_KEY_FILE = str(right)
    providers.reset_provider()
