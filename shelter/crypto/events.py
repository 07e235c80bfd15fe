"""The access-log entries crypto writes: document downloads, integrity failures, and what the
operator commands did (a key rotation, a crypto-shred, an encryption check).

The audit log sits above crypto: it chains and pseudonymises its entries with crypto's keys, so
crypto does not import it. The audit app installs its recorder here when it is ready
(`shelter.audit.receivers.connect`); crypto names the action. Fail closed: with no recorder
installed, `record` raises, so nothing that must be recorded happens unrecorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# recorder(actor, action name, target, outcome, **facts): the name is an audit `Action`'s.
Recorder = Callable[..., Any]
_recorder: Recorder | None = None


def install(recorder: Recorder) -> None:
    """Set the function that writes an access-log entry (the audit app calls this)."""
    global _recorder
    _recorder = recorder


def record(actor: Any, action: str, target: Any = None, outcome: str = "allowed",
           **facts: Any) -> Any:
    """Write one access-log entry: `action` names an audit Action ("DOCUMENT_DOWNLOAD"); the
    rest is as for `shelter.audit.record`. Raises what the recorder raises."""
    if _recorder is None:
        raise ImproperlyConfigured("No access-log recorder is installed: shelter.audit must be "
                                   "in INSTALLED_APPS.")
    return _recorder(actor, action, target, outcome, **facts)
