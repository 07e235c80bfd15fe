"""Dashboard panels: each app registers the panels it contributes for the roles it serves.

A panel is a function (request) -> {"template": ..., **context} or None (nothing to show).
Apps register in their AppConfig.ready(), so the dashboard never imports app internals.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

Panel = Callable[[HttpRequest], dict | None]
_PANELS: list[tuple[int, Panel]] = []


def register(panel: Panel, order: int = 100) -> Panel:
    if all(existing is not panel for _, existing in _PANELS):
        _PANELS.append((order, panel))
        _PANELS.sort(key=lambda item: item[0])
    return panel


def panels_for(request: HttpRequest) -> list[dict]:
    return [p for p in (panel(request) for _, panel in _PANELS) if p]
