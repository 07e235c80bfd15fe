"""The stage guard of "In residence": passport, visa, insurance and the outbound journey of
every traveller (`checks`, strict). Registered overridable in `apps.LogisticsConfig.ready`: a
coordinator may pass it with a reason; the codes of what was overridden are audited. It applies
once the installation records logistics (`selectors.logistics_in_use`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cases.logistics import selectors

if TYPE_CHECKING:
    from cases.models import Case


def travel_documents_cover_the_stay(case: Case, reason: str) -> list[tuple[str, str]]:
    """(code, message) of every failed check; empty when the case may enter the stage."""
    if not selectors.logistics_in_use():
        return []
    return [(failure.code, failure.message) for failure in selectors.guard_failures(case)]
