"""The master key file: created safely, refused when exposed, rotated atomically."""

from __future__ import annotations

import json
import os
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from shelter.crypto import keyfile, providers
from shelter.crypto.apps import CryptoConfig
from shelter.crypto.exceptions import KeyFileError
from shelter.crypto.providers import LocalFileKeyProvider


def test_generated_file_is_private_and_idempotent(tmp_path):
    path = tmp_path / "keys" / "master.json"
    assert keyfile.generate_key_file(path) is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    before = path.read_bytes()
    assert keyfile.generate_key_file(path) is False
    assert path.read_bytes() == before
    data = keyfile.load_key_file(path)
    keys = {data.blind_index_key, data.audit_checkpoint_key, *data.master_keys.values()}
    assert len(keys) == 3 and all(len(k) == 32 for k in keys)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o644])
def test_group_or_world_accessible_file_is_refused(tmp_path, mode):
    path = tmp_path / "master.json"
    keyfile.generate_key_file(path)
    os.chmod(path, mode)
    with pytest.raises(KeyFileError, match="chmod 600"):
        keyfile.load_key_file(path)


@pytest.mark.parametrize("content", [b"not json", b"{}", b'{"format": "shelter-keys/1"}'])
def test_malformed_file_is_refused(tmp_path, content):
    path = tmp_path / "master.json"
    path.write_bytes(content)
    os.chmod(path, 0o600)
    with pytest.raises(KeyFileError):
        keyfile.load_key_file(path)


def test_short_key_is_refused(tmp_path):
    path = tmp_path / "master.json"
    keyfile.generate_key_file(path)
    doc = json.loads(path.read_text())
    doc["blind_index_key"] = "c2hvcnQ="
    path.write_text(json.dumps(doc))
    with pytest.raises(KeyFileError, match="32 bytes"):
        keyfile.load_key_file(path)


def test_key_material_never_appears_in_repr(tmp_path):
    path = tmp_path / "master.json"
    keyfile.generate_key_file(path)
    data = keyfile.load_key_file(path)
    assert repr(data.blind_index_key) not in repr(data)


def test_add_and_remove_master_keys(tmp_path):
    path = tmp_path / "master.json"
    keyfile.generate_key_file(path)
    first = keyfile.load_key_file(path).active_master_key
    second = keyfile.add_master_key(path)
    data = keyfile.load_key_file(path)
    assert data.active_master_key == second and set(data.master_keys) == {first, second}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(KeyFileError):
        keyfile.remove_master_key(path, second)  # the active key stays
    keyfile.remove_master_key(path, first)
    assert set(keyfile.load_key_file(path).master_keys) == {second}


def test_provider_reloads_after_another_process_rotated(tmp_path):
    path = tmp_path / "master.json"
    keyfile.generate_key_file(path)
    provider = LocalFileKeyProvider(path)
    new_id = keyfile.add_master_key(path)
    os.utime(path, ns=(1, 1))  # mtime granularity: make the change visible for sure
    wrapped = LocalFileKeyProvider(path).wrap(new_id, b"k" * 32, b"aad")
    assert provider.unwrap(new_id, wrapped, b"aad") == b"k" * 32


def test_production_start_refuses_missing_or_exposed_key_file(tmp_path, settings):
    settings.SHELTER_ENV = "production"
    settings.SHELTER_MASTER_KEY_FILE = str(tmp_path / "absent.json")
    import shelter.crypto as package

    providers.reset_provider()
    config = CryptoConfig("shelter.crypto", package)
    try:
        with pytest.raises(ImproperlyConfigured, match="does not exist"):
            config.ready()
        keyfile.generate_key_file(settings.SHELTER_MASTER_KEY_FILE)
        os.chmod(settings.SHELTER_MASTER_KEY_FILE, 0o644)
        with pytest.raises(ImproperlyConfigured, match="group or others"):
            config.ready()
    finally:
        providers.reset_provider()
