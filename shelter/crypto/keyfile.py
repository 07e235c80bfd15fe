"""The local master key file: format, creation, loading and atomic updates.

Standard library only (no Django, no `cryptography`): settings modules and provisioning scripts
call `generate_key_file` before Django is configured, e.g.
``python -m shelter.crypto.keyfile /etc/shelter/master.json``.

Format (JSON, one object)::

    {
      "format": "shelter-keys/1",
      "active_master_key": "mk-20260101-3f9a",
      "master_keys": {"mk-20260101-3f9a": "<base64 of 32 random bytes>", ...},
      "blind_index_key": "<base64 of 32 bytes>",
      "audit_checkpoint_key": "<base64 of 32 bytes>"
    }

Master keys are key-encryption keys: they only wrap data keys. The blind-index and audit
checkpoint keys are separate so that neither use can be turned into the other.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import stat
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from shelter.crypto.exceptions import KeyFileError

FORMAT = "shelter-keys/1"
KEY_BYTES = 32


@dataclass(frozen=True)
class KeyFile:
    """The decoded content of a key file. `repr` never shows key material."""

    active_master_key: str
    master_keys: dict[str, bytes] = field(repr=False)
    blind_index_key: bytes = field(repr=False)
    audit_checkpoint_key: bytes = field(repr=False)


def new_master_key_id() -> str:
    """A readable, sortable, unique id for a new master key."""
    return f"mk-{time.strftime('%Y%m%d')}-{secrets.token_hex(3)}"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _encode(data: KeyFile) -> bytes:
    return json.dumps(
        {
            "format": FORMAT,
            "active_master_key": data.active_master_key,
            "master_keys": {kid: _b64(key) for kid, key in data.master_keys.items()},
            "blind_index_key": _b64(data.blind_index_key),
            "audit_checkpoint_key": _b64(data.audit_checkpoint_key),
        },
        indent=2,
    ).encode("ascii")


def _fresh() -> KeyFile:
    kid = new_master_key_id()
    return KeyFile(
        active_master_key=kid,
        master_keys={kid: secrets.token_bytes(KEY_BYTES)},
        blind_index_key=secrets.token_bytes(KEY_BYTES),
        audit_checkpoint_key=secrets.token_bytes(KEY_BYTES),
    )


def _write_new(path: Path, payload: bytes) -> None:
    """Create `path` exclusively with mode 0600, so no other user can ever read it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, payload)
        os.fsync(fd)
    finally:
        os.close(fd)


def generate_key_file(path: str | os.PathLike[str]) -> bool:
    """Create a new key file at `path` (mode 0600). Return False if one already exists."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        _write_new(target, _encode(_fresh()))
    except FileExistsError:
        return False
    return True


def _decode_key(value: object, what: str) -> bytes:
    try:
        raw = base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyFileError(f"Key file: {what} is not valid base64.") from exc
    if len(raw) != KEY_BYTES:
        raise KeyFileError(f"Key file: {what} must be {KEY_BYTES} bytes.")
    return raw


def _parse(payload: bytes) -> KeyFile:
    try:
        doc = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise KeyFileError("Key file is not valid JSON.") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise KeyFileError(f"Key file format is not {FORMAT}.")
    masters = doc.get("master_keys")
    if not isinstance(masters, dict) or not masters:
        raise KeyFileError("Key file has no master keys.")
    active = doc.get("active_master_key")
    if active not in masters:
        raise KeyFileError("Key file: the active master key is not among the master keys.")
    return KeyFile(
        active_master_key=active,
        master_keys={str(k): _decode_key(v, f"master key {k}") for k, v in masters.items()},
        blind_index_key=_decode_key(doc.get("blind_index_key"), "blind_index_key"),
        audit_checkpoint_key=_decode_key(doc.get("audit_checkpoint_key"), "audit_checkpoint_key"),
    )


def load_key_file(path: str | os.PathLike[str]) -> KeyFile:
    """Read and validate a key file; refuse it if group or others could read or write it."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError as exc:
        raise KeyFileError(f"Master key file {path} does not exist.") from exc
    except OSError as exc:
        raise KeyFileError(f"Master key file {path} cannot be opened ({exc.strerror}).") from exc
    try:
        # fstat on the opened descriptor: the checked file is the file we read.
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise KeyFileError(f"Master key file {path} is not a regular file.")
        if mode & 0o077:
            raise KeyFileError(
                f"Master key file {path} is accessible by group or others (mode "
                f"{stat.S_IMODE(mode):04o}); refusing to use it. Run: chmod 600 {path}"
            )
        with os.fdopen(fd, "rb", closefd=False) as handle:
            payload = handle.read()
    finally:
        os.close(fd)
    return _parse(payload)


def _replace(path: Path, data: KeyFile) -> None:
    """Write `data` to a 0600 sibling file, fsync it, then atomically rename over `path`."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    _write_new(tmp, _encode(data))
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # make the rename itself durable
    finally:
        os.close(dir_fd)


def add_master_key(path: str | os.PathLike[str]) -> str:
    """Add a new random master key, make it active, keep the old ones. Return its id."""
    current = load_key_file(path)
    kid = new_master_key_id()
    keys = dict(current.master_keys)
    keys[kid] = secrets.token_bytes(KEY_BYTES)
    _replace(Path(path), KeyFile(kid, keys, current.blind_index_key, current.audit_checkpoint_key))
    return kid


def remove_master_key(path: str | os.PathLike[str], key_id: str) -> None:
    """Drop a retired master key from the file. The active key cannot be removed."""
    current = load_key_file(path)
    if key_id == current.active_master_key:
        raise KeyFileError(f"Master key {key_id} is active and cannot be retired.")
    if key_id not in current.master_keys:
        raise KeyFileError(f"Master key {key_id} is not in the key file.")
    keys = {k: v for k, v in current.master_keys.items() if k != key_id}
    _replace(
        Path(path),
        KeyFile(current.active_master_key, keys, current.blind_index_key,
                current.audit_checkpoint_key),
    )


if __name__ == "__main__":  # provisioning without Django: python -m shelter.crypto.keyfile PATH
    if len(sys.argv) != 2:
        sys.exit("usage: python -m shelter.crypto.keyfile PATH")
    created = generate_key_file(sys.argv[1])
    print("created" if created else "exists, left unchanged")
