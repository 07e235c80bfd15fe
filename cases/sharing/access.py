"""Guards of the sharing routes: look the object up, ask the policies, record a refusal.

Existence of a case is secret: a user who may not see it gets 404. A partner who may see the
case gets the same 404 for its Sharing section as for any other section not shared with them;
staff who may see the case but not share it (an officer on someone else's case) get 403,
recorded.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from cases import policies, selectors
from cases.access import TARGET, refuse
from cases.models import Case
from cases.sharing import grants
from cases.sharing import policies as sharing
from cases.sharing.models import CaseShare
from shelter import audit
from shelter.access import guard
from shelter.audit import Action
from shelter.audit.web import mark_audited, record_refusal


@guard
def access_sharing(request: HttpRequest, pk: uuid.UUID) -> Case:
    """The case for its Sharing section: coordinators, and the officer assigned to it."""
    case = selectors.case_get_for(request.user, pk)
    if case is None or not policies.can_view_section(request.user, case, "basic"):
        raise refuse(request, pk, "sharing")
    if not sharing.can_share(request.user, case) and not sharing.may_know_of_sharing(request.user):
        raise refuse(request, pk, "sharing")
    if not sharing.can_share(request.user, case):
        record_refusal(request, TARGET, pk, section="sharing", reason="not_own_case")
        raise PermissionDenied
    mark_audited(request)
    return case


@guard
def access_share(request: HttpRequest, pk: uuid.UUID, share_id: uuid.UUID) -> CaseShare:
    """One share of a case the user may share (to revoke it); 404 if it is not that case's."""
    case = access_sharing(request, pk)
    share = grants.share_get(case, share_id)
    if share is None:
        raise refuse(request, pk, "sharing")
    return share


@guard
def access_break_glass(request: HttpRequest, pk: uuid.UUID) -> Case:
    """The case whose restricted notes a coordinator may open; everyone else gets 404."""
    case = selectors.case_get_for(request.user, pk)
    if case is None or not sharing.can_break_glass(request.user, case):
        raise refuse(request, pk, "break_glass")
    mark_audited(request)
    return case


@guard
def access_shared_with_me(request: HttpRequest, number: object) -> Page:
    """Page `number` of the partner's list of what is shared with them, recorded as one read of
    the list (page number and result count); staff and auditors get 404."""
    if not sharing.may_see_shared_with_me(request.user):
        raise refuse(request, None, "shared_with_me")
    # Paged over the ids of the one grants query: the count is the list's length.
    page = Paginator(grants.shared_case_ids(request.user),
                     selectors.LIST_PAGE_SIZE).get_page(number)
    page.object_list = cases = grants.cases_in_order(list(page.object_list))
    if cases:
        audit.record_each(request.user, Action.CASE_LIST, cases, section="sharing",
                          page=page.number, results=page.paginator.count, shared=True)
    else:
        audit.record(request.user, Action.CASE_LIST, None, section="sharing", page=page.number,
                     results=page.paginator.count, shared=True)
    mark_audited(request)
    return page
