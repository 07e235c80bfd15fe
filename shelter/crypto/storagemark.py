"""The document store carries its installation's id, so no installation acts on another's files.

Two installations (two databases) pointed at one media folder or bucket used to see each
other's documents as orphans, and `sweep_orphan_files` deleted them. Now the store holds a small
marker object, `.shelter-installation`, with the random id of the installation that owns it
(`Installation`, created by `migrate`). The first document stored writes it; storing into a store
marked by another installation is refused, and the sweep refuses a store that is not marked as
this installation's. The marker holds an id only, nothing secret.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import Storage

from shelter.crypto.exceptions import StorageNotOurs
from shelter.crypto.models import Installation

logger = logging.getLogger("shelter.crypto")

MARKER_NAME = ".shelter-installation"
FORMAT = "shelter-storage/1"

_claimed: set[tuple[str, uuid.UUID]] = set()
_lock = threading.Lock()


def installation_id() -> uuid.UUID:
    """This installation's id (the row `migrate` created; created here if it is missing)."""
    row, _created = Installation.objects.get_or_create(pk=1)
    return row.installation_id


def _identity(storage: Storage) -> str:
    parts = [type(storage).__name__, getattr(storage, "bucket_name", "") or "",
             str(getattr(storage, "location", "") or "")]
    return "|".join(parts)


def read_marker(storage: Storage) -> uuid.UUID | None:
    """The installation id the store is marked with; None if it carries no marker."""
    if not storage.exists(MARKER_NAME):
        return None
    with storage.open(MARKER_NAME, "rb") as handle:
        payload = handle.read(4096)
    try:
        doc = json.loads(payload)
        if doc.get("format") != FORMAT:
            raise ValueError(doc.get("format"))
        return uuid.UUID(str(doc["installation"]))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StorageNotOurs(f"The document store's marker {MARKER_NAME} is not readable; "
                             "nothing was changed.") from exc


def _write_marker(storage: Storage, ident: uuid.UUID) -> None:
    payload = json.dumps({"format": FORMAT, "installation": str(ident)}).encode()
    saved = storage.save(MARKER_NAME, ContentFile(payload))
    if saved != MARKER_NAME:  # another process wrote the marker first: keep only that one
        storage.delete(saved)
    logger.info("crypto: document store marked for installation %s", ident)


def mark_storage(storage: Storage) -> uuid.UUID:
    """Mark the store as this installation's if it carries no marker; refuse another's."""
    ident = installation_id()
    marker = read_marker(storage)
    if marker is None:
        _write_marker(storage, ident)
        marker = read_marker(storage)
    if marker != ident:
        logger.error("crypto: document store belongs to installation %s, not %s", marker, ident)
        raise StorageNotOurs(
            f"The document store belongs to another installation ({marker}); this one is "
            f"{ident}. Give each installation its own document store (SHELTER_MEDIA_ROOT or "
            "SHELTER_DOCUMENTS_S3_BUCKET / _PREFIX); nothing was stored or deleted."
        )
    return ident


def claim_for_store(storage: Storage) -> None:
    """Before the first document is stored in this process: the store must be ours (cached)."""
    ident = installation_id()
    key = (_identity(storage), ident)
    if key in _claimed:
        return
    with _lock:
        if key not in _claimed:
            mark_storage(storage)
            _claimed.add(key)


def check_owned(storage: Storage) -> uuid.UUID:
    """For destructive maintenance: the store must carry this installation's marker."""
    ident = installation_id()
    marker = read_marker(storage)
    if marker is None:
        raise StorageNotOurs(
            f"The document store carries no installation marker, but this installation has "
            f"an id ({ident}): it may be another installation's store. Nothing was deleted. "
            "If this store is this installation's own, mark it once with "
            "`sweep_orphan_files --mark-storage`."
        )
    if marker != ident:
        raise StorageNotOurs(
            f"The document store belongs to another installation ({marker}); this one is "
            f"{ident}. Nothing was deleted. Give each installation its own document store."
        )
    return ident


def check_not_foreign(storage: Storage) -> None:
    """For the readiness probe: the store is unmarked (nothing stored yet) or this
    installation's; raises StorageNotOurs if another installation marked it."""
    marker = read_marker(storage)
    if marker is not None and marker != installation_id():
        raise StorageNotOurs("The document store belongs to another installation.")


def forget_claims() -> None:
    """Look at the marker again on the next store (tests)."""
    with _lock:
        _claimed.clear()
