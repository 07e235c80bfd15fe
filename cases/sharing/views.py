"""Sharing: the partner's "Shared with me" list, the case's Sharing section (grant, revoke),
and break-glass for coordinators. Dangerous acts ask for a recent second factor."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from cases import access as case_access
from cases import choices, rows
from cases.forms import CaseSearchForm
from cases.models import Case
from cases.sharing import grants, services
from cases.sharing.access import (
    access_break_glass,
    access_share,
    access_shared_with_me,
    access_sharing,
)
from cases.sharing.forms import BreakGlassForm, ShareGrantForm, ShareRevokeForm
from cases.sharing.labels import section_label
from cases.sharing.models import CaseShare
from cases.sharing.rows import SharedRows
from shelter.access import guarded_by
from shelter.accounts.models import User
from shelter.accounts.recent import ask_for_recent_second_factor


def share_rows(user: User, cases: list[Case]) -> SharedRows:
    """Each case on a partner's page with its shared sections, mode and first expiry (the
    grants of the whole page are loaded at once, or were loaded with the list's ids); the
    profile address is reversed and the labels are translated once a page."""
    grants.load_grants(user, cases)
    link, stages = rows.profile_links(), rows.stage_labels()
    sections = [(s, section_label(s)) for s in choices.SHARE_SECTIONS]
    shown: list[dict[str, Any]] = []
    for case in cases:
        grant = grants.loaded_grant(user, case)
        shown.append({"case": case, "url": link(case.pk), "code_name": case.defender.code_name,
                      "stage": stages.get(case.stage, case.stage),
                      "contribute": grant.contribute, "expires_at": grant.expires_at,
                      "sections": [label for s, label in sections if s in grant.sections]})
    return SharedRows(shown)


@guarded_by(access_shared_with_me)
def shared_with_me(request: HttpRequest) -> HttpResponse:
    """A partner's cases, with the sections and expiry of their shares; 50 a page."""
    page = access_shared_with_me(request, request.GET.get("page"))
    rows = share_rows(request.user, list(page.object_list))
    return render(request, "sharing/shared_with_me.html",
                  {"page": page, "rows": rows, "search": CaseSearchForm()})


def _sharing_context(request: HttpRequest, case: Case, form: ShareGrantForm) -> dict:
    return case_access.case_context(request, case, "sharing", shares=grants.case_shares(case),
                                    form=form)


def _confirm_share(request: HttpRequest, case: Case, form: ShareGrantForm) -> HttpResponse:
    """The page that names the recipient, the sections and the last day before the share is
    made; its form carries the values again (re-validated) with `confirmed=1`."""
    try:
        sections = services.normalise_sections(form.cleaned_data["sections"])
    except services.ShareError as error:
        form.add_error(None, str(error))
        return render(request, "sharing/sharing.html", _sharing_context(request, case, form),
                      status=400)
    values = form.cleaned_data
    return render(request, "sharing/share_confirm.html", case_access.case_context(
        request, case, "sharing", form=form, grantee=form.grantee_name(),
        organisation=values["grantee"].startswith("org:"),
        sections=[section_label(s) for s in sections],
        contribute=values["mode"] == CaseShare.Mode.CONTRIBUTE,
        expires_on=values["expires_on"], consent_on=values.get("consent_on"),
        override=not values.get("consent_on")))


@sensitive_post_parameters()
@guarded_by(access_sharing)
def sharing(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The case's shares, and the form to grant one: a valid POST shows what will be shared;
    the share is made only by the confirmation's POST (`confirmed=1`, with a fresh code)."""
    case = access_sharing(request, pk)
    if request.method == "POST" and (fresh := ask_for_recent_second_factor(request)):
        return fresh
    form = ShareGrantForm(request.POST or None, acting_user=request.user)
    editing = request.method == "POST" and "edit" in request.POST
    if request.method == "POST" and not editing and form.is_valid():
        if request.POST.get("confirmed") != "1":
            return _confirm_share(request, case, form)
        try:
            services.share_grant(case=case, acting_user=request.user, **form.service_values())
        except services.ShareError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The case is shared."))
            return redirect("cases:sharing", pk=case.pk)
    return render(request, "sharing/sharing.html", _sharing_context(request, case, form),
                  status=400 if not editing and form.errors else 200)


def _revoke_page(request: HttpRequest, share: CaseShare, form: ShareRevokeForm) -> dict:
    grantee = (share.grantee_user.full_name if share.grantee_user
               else share.grantee_organisation.name)
    sections = ", ".join(section_label(s) for s in share.sections)
    code_name = share.case.defender.code_name
    return {
        "title": _("Revoke this share?"),
        "consequences": [
            _("%(grantee)s loses access to case %(code_name)s now, on their next page.") % {
                "grantee": grantee, "code_name": code_name},
            _("The sections they lose: %(sections)s.") % {"sections": sections},
            _("A revoked share cannot be restored; share again if it is needed."),
        ],
        "action_url": reverse("cases:share_revoke", args=[share.case_id, share.pk]),
        "confirm_label": _("Revoke the share"),
        "cancel_url": reverse("cases:sharing", args=[share.case_id]),
        "form": form,
    }


@sensitive_post_parameters()
@guarded_by(access_share)
def share_revoke(request: HttpRequest, pk: uuid.UUID, share_id: uuid.UUID) -> HttpResponse:
    """GET (or a POST without `confirmed=1`): what revoking will do. The confirmation's POST
    ends the share now; the partner's next request no longer opens what it shared."""
    share = access_share(request, pk, share_id)
    if not share.is_active:
        messages.info(request, _("This share has already ended."))
        return redirect("cases:sharing", pk=share.case_id)
    confirmed = request.method == "POST" and request.POST.get("confirmed") == "1"
    form = ShareRevokeForm(request.POST if confirmed else None)
    if confirmed and form.is_valid():
        services.share_revoke(share=share, acting_user=request.user,
                              reason=form.cleaned_data["reason"])
        messages.success(request, _("The share is revoked."))
        return redirect("cases:sharing", pk=share.case_id)
    return render(request, "confirm.html", _revoke_page(request, share, form),
                  status=400 if form.errors else 200)


@sensitive_post_parameters()
@guarded_by(access_break_glass)
def break_glass(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A coordinator opens the restricted notes of a case, with a reason, for a short time."""
    case = access_break_glass(request, pk)
    if fresh := ask_for_recent_second_factor(request):
        return fresh
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.break_glass_open(case=case, acting_user=request.user,
                                  reason=form.cleaned_data["reason"])
        messages.warning(request, _("The restricted notes are open to you for %(minutes)d "
                                    "minutes. Every coordinator is told.") % {
            "minutes": services.break_glass_minutes()})
        return redirect("cases:notes", pk=case.pk)
    return render(request, "sharing/break_glass.html",
                  case_access.case_context(request, case, "notes", form=form))
