"""The kinds of notification. Each app declares its kinds in its own `notifications.py`
(autodiscovered), e.g. cases/notifications.py::

    from shelter.notifications.kinds import Kind, register

    register(Kind(
        key="share_ending", label=_("A share ends soon"),
        summary=lambda n: ngettext("%(count)d share ends within 7 days",
                                   "%(count)d shares end within 7 days", n) % {"count": n},
        link="sharing:list", default="daily"))

`summary` is the ONLY text that reaches a mail or the centre: counts, never names, addresses or
notes. `link` is a URL name (reversed without arguments) or a callable(params) -> path: a page
that checks access itself; it carries ids only. A `security` kind cannot be turned off and is
always mailed at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise

MODES = ("immediate", "daily", "off")


@dataclass(frozen=True)
class Kind:
    key: str
    label: str | Promise
    summary: Callable[[int], str]
    link: str | Callable[[dict[str, Any]], str]
    security: bool = False
    default: str = "daily"

    def __post_init__(self) -> None:
        if self.default not in MODES:
            raise ValueError(f"notification kind {self.key}: default must be one of {MODES}")
        if len(self.key) > 40:
            raise ValueError(f"notification kind {self.key}: key longer than 40")

    def path(self, params: dict[str, Any] | None = None) -> str:
        """Where the reader acts on it (a path, no host)."""
        if callable(self.link):
            return self.link(dict(params or {}))
        return reverse(self.link)

    def default_mode(self) -> str:
        return "immediate" if self.security else self.default


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Declare a kind (once; importing the declaring module again is harmless)."""
    known = _KINDS.get(kind.key)
    if known is not None and (known.security, known.default, str(known.label)) != (
            kind.security, kind.default, str(kind.label)):
        raise ValueError(f"notification kind {kind.key!r} is registered twice")
    _KINDS[kind.key] = kind
    return kind


def get(key: str) -> Kind | None:
    return _KINDS.get(key)


def all_kinds() -> list[Kind]:
    """Every kind, security kinds first, then by key."""
    return sorted(_KINDS.values(), key=lambda kind: (not kind.security, kind.key))
