"""Deny by default: every case route names the policy that decides it, or it is refused.

`ROUTE_POLICIES` maps each URL name of the "cases" namespace to the `cases.policies` function
its view asks. `deny_undeclared` (used by cases/urls.py) replaces the view of any route missing
here with one that answers 404 and records the refusal, so a new route cannot go live without
an explicit decision; tests/cases/test_permission_matrix.py fails for any route the matrix does
not cover.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern

ROUTE_POLICIES: dict[str, str] = {
    "list": "can_list_cases",
    "search": "can_search_cases",
    "create": "can_create_case",
    "statistics": "can_list_cases",
    "agenda": "can_search_cases + can_view_section(programme)",
    "rounds": "can_list_cases",
    "round_edit": "can_manage_rounds",
    "shared_with_me": "partner_cases_filter",
    "profile": "can_view_section(basic, identity, contact)",
    "defender_edit": "can_view_section(identity) + can_change_case",
    "residency": "can_view_section(residency)",
    "case_edit": "can_view_section(residency) + can_change_case",
    "transition": "can_transition",
    "history": "can_view_section(history) + can_view_access_history",
    "programme": "can_view_section(programme) + can_contribute(programme)",
    "activity_cancel": "can_change_case",
    "export": "can_export_subject_data + recent second factor",
    "documents": "can_view_section(documents) + can_view_document_category",
    "document_upload": "can_contribute(documents.<category>)",
    "document_download": "can_view_document_category",
    "document_replace": "can_change_case",
    "document_delete": "can_change_case",
    "notes": "can_view_note_category + can_contribute(notes.<category>)",
    "tasks": "can_view_section(tasks)",
    "task_toggle": "can_change_case",
    "sharing": "can_share + recent second factor (grant)",
    "share_revoke": "can_share",
    "break_glass": "can_break_glass + recent second factor",
}


def _refused(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    from cases import access

    raise access.refuse(request, kwargs.get("pk"), "undeclared_route")


def deny_undeclared(patterns: list[URLPattern]) -> list[URLPattern]:
    """Routes without an entry in ROUTE_POLICIES keep their URL but refuse everyone."""
    for pattern in patterns:
        if pattern.name not in ROUTE_POLICIES:
            pattern.callback = _refused
    return patterns
