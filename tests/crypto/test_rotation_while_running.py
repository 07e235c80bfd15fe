"""Rotation and retirement are safe while the app runs.

A long-running process used to keep its key file forever: during `rotate_master_key` it kept
wrapping new data keys under the old key (the rotation never converged) and after `--retire` it
wrapped new keys under the retired one, unreadable in every fresh process (`KeyMissing`).
"""

from __future__ import annotations

import os
import shutil
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from shelter.crypto import keycache, keyfile, providers
from shelter.crypto.exceptions import KeyMissing
from shelter.crypto.fieldcrypto import decrypt_field, encrypt_field
from shelter.crypto.models import DataKey, KeyCheck
from shelter.crypto.providers import LocalFileKeyProvider

from .processes import environment, manage, process_database, start_shell

WRITER = (
    "import os, time, uuid\n"
    "from shelter.crypto.fieldcrypto import encrypt_field\n"
    "n = 0\n"
    "while not os.path.exists(os.environ['STOP_FILE']):\n"
    "    encrypt_field('case', uuid.uuid4(), b'value', b'ctx')\n"
    "    n += 1\n"
    "    time.sleep(0.02)\n"
    "print('created', n)\n"
)


@pytest.fixture
def key_file(tmp_path, settings):
    path = tmp_path / "master.json"
    shutil.copy(settings.SHELTER_MASTER_KEY_FILE, path)
    path.chmod(0o600)
    settings.SHELTER_MASTER_KEY_FILE = str(path)
    providers.reset_provider()
    yield path
    providers.reset_provider()


def test_the_provider_wraps_only_under_the_key_active_in_the_file_now(tmp_path):
    path = tmp_path / "master.json"
    keyfile.generate_key_file(path)
    provider = LocalFileKeyProvider(path)
    old = provider.active_key_id()
    new = keyfile.add_master_key(path)  # another process rotates
    with pytest.raises(KeyMissing, match="not the active key"):
        provider.wrap(old, b"k" * 32, b"aad")
    assert provider.active_key_id() == new
    assert provider.unwrap(new, provider.wrap(new, b"k" * 32, b"aad"), b"aad") == b"k" * 32


@pytest.mark.django_db
def test_new_data_keys_follow_a_rotation_done_by_another_process(key_file):
    providers.get_provider()  # this process has loaded the old file
    new = keyfile.add_master_key(key_file)
    owner = DataKey._meta.pk.to_python("00000000-0000-4000-8000-000000000001")
    blob = encrypt_field("case", owner, b"v", b"ctx")
    assert DataKey.objects.get(owner_id=owner).master_key_id == new
    keycache.clear_all()
    providers.reset_provider()
    assert decrypt_field("case", owner, blob, b"ctx") == b"v"


@pytest.mark.django_db
def test_retire_refuses_while_a_data_key_is_still_wrapped_under_the_key(key_file):
    old = keyfile.load_key_file(key_file).active_master_key
    encrypt_field("case", DataKey._meta.pk.to_python("00000000-0000-4000-8000-000000000002"),
                  b"v", b"ctx")
    call_command("rotate_master_key", stdout=open(os.devnull, "w"))  # noqa: SIM115
    # A process that read the file before the rotation slips one in under the old key.
    row = DataKey.objects.first()
    DataKey.objects.filter(pk=row.pk).update(master_key_id=old)
    from shelter.crypto.management.commands import rotate_master_key as command

    with pytest.raises(CommandError, match="still wraps 1 data key"), transaction.atomic():
        command.Command()._retire_in_database(old)
    assert old in keyfile.load_key_file(key_file).master_keys
    assert KeyCheck.objects.get(kind="master", key_id=old).retired_at is None


def _run_rotation_against_a_writer(tmp_path) -> None:
    key_path = tmp_path / "keys" / "master.json"
    keyfile.generate_key_file(key_path)
    old = keyfile.load_key_file(key_path).active_master_key
    with process_database(tmp_path) as database_url:
        env = environment(tmp_path, database_url, key_path)
        env["STOP_FILE"] = str(tmp_path / "stop")
        assert manage(env, "migrate", "--noinput").returncode == 0
        writer = start_shell(env, WRITER)
        try:
            time.sleep(3)  # the writer has loaded the key file and created keys under `old`
            rotated = manage(env, "rotate_master_key")
            assert rotated.returncode == 0, rotated.stdout + rotated.stderr
            new = keyfile.load_key_file(key_path).active_master_key
            time.sleep(1.5)
            retired = manage(env, "rotate_master_key", "--retire", old)
            assert retired.returncode == 0, retired.stdout + retired.stderr
            time.sleep(1.5)  # the writer goes on after the retirement
        finally:
            (tmp_path / "stop").touch()
            out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err[-2000:]
        created = int(out.split("created")[-1])
        assert created > 20
        assert set(keyfile.load_key_file(key_path).master_keys) == {new}
        # A fresh process unwraps every data key, including those created after retirement.
        checked = manage(env, "verify_encryption", "--skip-documents")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert f"data keys ok: {created}" in checked.stdout
        again = manage(env, "rotate_master_key", "--retire", new)
        assert again.returncode != 0 and "active" in again.stderr


@pytest.mark.django_db(transaction=True)
def test_rotation_converges_and_retirement_holds_while_another_process_writes(tmp_path):
    _run_rotation_against_a_writer(tmp_path)
