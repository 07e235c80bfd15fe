"""The read choke point of the case pages: policy check, access-log entry, 404 when refused.

Every case view obtains its case here, so each read and each refusal is recorded exactly once
and a case the user may not see answers 404 whether it exists or not.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases import policies, selectors
from cases.models import Case
from cases.sharing import grants
from cases.sharing import policies as sharing
from shelter import audit
from shelter.audit import Action
from shelter.audit.web import mark_audited, record_refusal

TARGET = "cases.case"

# (section, url name, label) of the case page's tabs, in order.
TABS = [
    ("basic", "cases:profile", _("Profile")),
    ("residency", "cases:residency", _("Residency")),
    ("programme", "cases:programme", _("Programme")),
    ("housing", "housing:case", _("Housing")),
    ("documents", "cases:documents", _("Documents")),
    ("notes", "cases:notes", _("Notes")),
    ("tasks", "cases:tasks", _("Tasks")),
    ("history", "cases:history", _("History")),
]


def refuse(request: HttpRequest, case_id: uuid.UUID | str | None, section: str = "") -> Http404:
    """Record a refusal and return the 404 to raise (existence of cases is secret)."""
    record_refusal(request, TARGET, case_id, section=section)
    return Http404()


def require_list_access(request: HttpRequest) -> None:
    """The case list and search are for coordinators and case officers; others get 404."""
    if not policies.can_list_cases(request.user):
        raise refuse(request, None, "list")


def require_search_access(request: HttpRequest) -> None:
    """Search and agenda: staff, and partners (who only ever find what is shared with them)."""
    if not policies.can_search_cases(request.user):
        raise refuse(request, None, "search")


def read_case(request: HttpRequest, case_id: uuid.UUID, *sections: str) -> tuple[Case, set]:
    """The case for a page showing `sections` (the first one is required), recorded as read.

    Returns the case and the set of requested sections the user may see. One page view is one
    entry: the first section names it, and every section actually shown is listed in its facts
    (one chained append per request keeps auditing cheap, see `make bench`).
    """
    case = selectors.case_get_for(request.user, case_id)
    if case is None or not policies.can_view_section(request.user, case, sections[0]):
        raise refuse(request, case_id, sections[0])
    allowed = {s for s in sections if policies.can_view_section(request.user, case, s)}
    shown = [s for s in sections if s in allowed]
    audit.record(request.user, Action.CASE_VIEW_SECTION, case, section=sections[0],
                 sections=shown)
    mark_audited(request)
    return case, allowed


def change_case(request: HttpRequest, case_id: uuid.UUID, section: str) -> Case:
    """The case for a write; 404 if invisible, 403 if visible but not changeable (shredded).

    Writes are recorded by the service that performs them; refusals here.
    """
    case = selectors.case_get_for(request.user, case_id)
    if case is None or not policies.can_view_section(request.user, case, section):
        raise refuse(request, case_id, section)
    if not policies.can_change_case(request.user, case):
        record_refusal(request, TARGET, case_id, section=section, reason="read_only")
        raise PermissionDenied
    mark_audited(request)
    return case


def contribute_case(request: HttpRequest, case_id: uuid.UUID, section: str) -> Case:
    """The case for adding to `section` (programme, notes, documents): staff who may change
    it, or a partner whose may-contribute share names it. 404 if invisible, else 403."""
    case = selectors.case_get_for(request.user, case_id)
    page_section = section.split(".")[0]
    if case is None or not policies.can_view_section(request.user, case, page_section):
        raise refuse(request, case_id, page_section)
    if not policies.can_contribute(request.user, case, section):
        record_refusal(request, TARGET, case_id, section=page_section, reason="read_only")
        raise PermissionDenied
    mark_audited(request)
    return case


def tabs(request: HttpRequest, case: Case, current: str) -> list[dict]:
    """The tabs the user may open, for the case page header."""
    found = [{"url": reverse(name, args=[case.pk]), "label": label, "current": section == current}
             for section, name, label in TABS
             if policies.can_view_section(request.user, case, section)]
    if sharing.can_share(request.user, case):
        found.append({"url": reverse("cases:sharing", args=[case.pk]), "label": _("Sharing"),
                      "current": current == "sharing"})
    return found


def share_summary(request: HttpRequest, case: Case) -> dict | None:
    """For a partner: what their shares open on this case and until when (shown on every tab)."""
    if not request.user.is_partner:
        return None
    grant = grants.grant_for(request.user, case)
    return {"expires_at": grant.expires_at, "contribute": grant.contribute}


def case_context(request: HttpRequest, case: Case, current: str, **extra: object) -> dict:
    """Context shared by every case page; permissions decided here, not in templates."""
    user = request.user
    return {
        "case": case, "tabs": tabs(request, case, current), "current_tab": current,
        "can_change": policies.can_change_case(user, case),
        "can_transition": policies.can_transition(user, case),
        "share": share_summary(request, case),
        "can_break_glass": sharing.can_break_glass(user, case),
        **extra,
    }
