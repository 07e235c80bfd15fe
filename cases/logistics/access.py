"""The guards of a case's logistics. The case itself is guarded by `cases.access.access_case`
with the section "logistics" (404 for whoever may not see it, 403 "read_only" for a partner
who may read but not change); the rows of the case by the guards below, which first obtain the
case for a write and answer 404 for a row that is not of this case."""

from __future__ import annotations

import uuid

from django.http import HttpRequest

from cases.access import access_case, refuse
from cases.logistics import selectors
from cases.logistics.models import Companion, TravelLeg
from shelter.access import guard

SECTION = "logistics"


@guard
def access_leg(request: HttpRequest, pk: uuid.UUID | str, leg_id: uuid.UUID | str
               ) -> TravelLeg:
    """A travel leg of case `pk`, to change or delete: staff on a changeable case."""
    case = access_case(request, pk, SECTION, write=True)
    leg = selectors.leg_get_for(request.user, case, leg_id)
    if leg is None:
        raise refuse(request, pk, SECTION)
    return leg


@guard
def access_companion(request: HttpRequest, pk: uuid.UUID | str,
                     companion_id: uuid.UUID | str) -> Companion:
    """An accompanying person of case `pk`, to change, remove or record documents for: staff
    on a changeable case (their identity is shown in the form)."""
    case = access_case(request, pk, SECTION, "identity", write=True)
    companion = selectors.companion_get_for(request.user, case, companion_id)
    if companion is None:
        raise refuse(request, pk, SECTION)
    return companion
