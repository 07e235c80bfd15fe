"""A stored document is on disk before store_document returns (so before its row commits)."""

from __future__ import annotations

import io
import os
import uuid

import pytest

from shelter.crypto import localfiles
from shelter.crypto.documents import EncryptingWriter, document_storage, store_document
from shelter.crypto.localfiles import LocalObjectWriter

pytestmark = pytest.mark.django_db


@pytest.fixture
def syncs(monkeypatch):
    """Every fdatasync / directory fsync, as (kind, inode of what was synced)."""
    calls: list[tuple[str, int]] = []
    real_data, real_fsync = localfiles._sync_data, os.fsync

    def sync_data(fd: int) -> None:
        calls.append(("data", os.fstat(fd).st_ino))
        real_data(fd)

    def sync_directory(fd: int) -> None:
        calls.append(("directory", os.fstat(fd).st_ino))
        real_fsync(fd)

    monkeypatch.setattr(localfiles, "_sync_data", sync_data)
    monkeypatch.setattr(localfiles.os, "fsync", sync_directory)
    return calls


def test_store_document_syncs_the_file_and_its_directories_before_returning(case, syncs):
    stored = store_document(case.id, io.BytesIO(b"x" * 200_000), document_id=uuid.uuid4())
    path = document_storage().path(stored.storage_name)
    file_inode, dir_inode = os.stat(path).st_ino, os.stat(os.path.dirname(path)).st_ino
    assert syncs[0] == ("data", file_inode)
    assert ("directory", dir_inode) in syncs[1:]
    with open(path, "rb") as handle:  # and what was synced is the whole object
        assert len(handle.read()) > 200_000


def test_a_new_fan_out_directory_is_synced_in_its_parent(tmp_path, syncs):
    writer = LocalObjectWriter(str(tmp_path / "ab" / "object.enc"))
    writer.write(b"sealed")
    writer.close()
    inodes = {kind_inode[1] for kind_inode in syncs if kind_inode[0] == "directory"}
    assert inodes == {os.stat(tmp_path / "ab").st_ino, os.stat(tmp_path).st_ino}
    assert (tmp_path / "ab" / "object.enc").read_bytes() == b"sealed"
    assert os.stat(tmp_path / "ab").st_mode & 0o077 == 0


def test_writeback_is_started_while_writing_and_covers_every_byte(tmp_path, monkeypatch):
    started: list[tuple[int, int]] = []
    monkeypatch.setattr(localfiles, "WRITEBACK_BYTES", 1 << 20)
    monkeypatch.setattr(localfiles, "_start_writeback",
                        lambda fd, offset, length, advice: started.append((offset, length)))
    writer = LocalObjectWriter(str(tmp_path / "big.enc"))
    piece = os.urandom(70_000)
    for _ in range(64):  # ~4.3 MiB in pieces that are not page-aligned
        writer.write(piece)
        if len(started) == 1:
            assert writer._written < 64 * len(piece)  # started before the end, not after
    writer.close()
    assert (tmp_path / "big.enc").read_bytes() == piece * 64
    assert started[0][0] == 0 and len(started) >= 3
    for (offset, length), (next_offset, _) in zip(started, started[1:], strict=False):
        assert next_offset == offset + length  # contiguous, nothing skipped or repeated


def test_a_mutable_buffer_is_written_before_write_returns(tmp_path):
    writer = LocalObjectWriter(str(tmp_path / "reused.enc"))
    writer.write(b"head")
    buffer = bytearray(b"A" * 5000)
    writer.write(memoryview(buffer))
    buffer[:] = b"B" * 5000  # the encryptor reuses its buffer as soon as write returns
    writer.write(bytes(buffer))
    writer.close()
    assert (tmp_path / "reused.enc").read_bytes() == b"head" + b"A" * 5000 + b"B" * 5000


def test_an_aborted_upload_is_not_synced_and_leaves_no_file(case, syncs):
    writer = EncryptingWriter()
    writer.write(b"partial" * 10_000)
    name = writer.storage_name
    writer.abort()
    assert not document_storage().exists(name)
    assert [kind for kind, _ in syncs if kind == "data"] == []


def test_a_failing_sync_fails_the_store_and_removes_the_object(case, monkeypatch):
    def broken(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(localfiles, "_sync_data", broken)
    before = _stored_names()
    with pytest.raises(OSError):
        store_document(case.id, io.BytesIO(b"y" * 1000), document_id=uuid.uuid4())
    assert _stored_names() == before


def _stored_names() -> set[str]:
    root = document_storage().location
    return {os.path.join(d, f) for d, _, files in os.walk(root) for f in files}
