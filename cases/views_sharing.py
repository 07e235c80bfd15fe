"""Sharing: the partner's "Shared with me" list, the case's Sharing section (grant, revoke),
and break-glass for coordinators. Dangerous acts ask for a recent second factor."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cases import access, policies, selectors, services_sharing
from cases.forms import CaseSearchForm
from cases.forms_sharing import BreakGlassForm, ShareGrantForm, ShareRevokeForm, section_label
from shelter import audit
from shelter.accounts.recent import ask_for_recent_second_factor
from shelter.audit import Action
from shelter.audit.web import mark_audited


@access.sharing_view
def shared_with_me(request: HttpRequest) -> HttpResponse:
    """A partner's cases, with the sections and expiry of their shares; 50 a page."""
    if not request.user.is_partner:
        raise access.refuse(request, None, "shared_with_me")
    page = Paginator(selectors.cases_shared_with(request.user),
                     selectors.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.share_rows(request.user, list(page.object_list))
    audit.record(request.user, Action.CASE_LIST, None, page=page.number,
                 results=page.paginator.count, shared=True)
    mark_audited(request)
    return render(request, "cases/shared_with_me.html",
                  {"page": page, "rows": rows, "search": CaseSearchForm()})


def _sharing_context(request: HttpRequest, case: object, form: ShareGrantForm) -> dict:
    shares = selectors.case_shares(case)
    for share in shares:
        share.section_labels = [section_label(s) for s in share.sections]
    return access.case_context(request, case, "sharing", shares=shares, form=form,
                               revoke_form=ShareRevokeForm())


@access.sharing_view
@sensitive_post_parameters()
def sharing(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The case's shares with revoke buttons, and the form to grant one (POST: fresh code)."""
    case = access.share_case(request, pk)
    if request.method == "POST" and (fresh := ask_for_recent_second_factor(request)):
        return fresh
    form = ShareGrantForm(request.POST or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services_sharing.share_grant(case=case, acting_user=request.user,
                                         **form.service_values())
        except services_sharing.ShareError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The case is shared."))
            return redirect("cases:sharing", pk=case.pk)
    return render(request, "cases/sharing.html", _sharing_context(request, case, form),
                  status=400 if form.errors else 200)


@access.sharing_view
@require_POST
@sensitive_post_parameters()
def share_revoke(request: HttpRequest, pk: uuid.UUID, share_id: uuid.UUID) -> HttpResponse:
    """End a share now; the partner's next request answers 404 for what it opened."""
    case = access.share_case(request, pk)
    share = selectors.share_get(case, share_id)
    if share is None:
        raise access.refuse(request, pk, "sharing")
    form = ShareRevokeForm(request.POST)
    form.is_valid()
    services_sharing.share_revoke(share=share, acting_user=request.user,
                                  reason=form.cleaned_data.get("reason", ""))
    messages.success(request, _("The share is revoked."))
    return redirect("cases:sharing", pk=case.pk)


@access.sharing_view
@sensitive_post_parameters()
def break_glass(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A coordinator opens the restricted notes of a case, with a reason, for a short time."""
    case = selectors.case_get_for(request.user, pk)
    if case is None or not policies.can_break_glass(request.user, case):
        raise access.refuse(request, pk, "break_glass")
    mark_audited(request)
    if fresh := ask_for_recent_second_factor(request):
        return fresh
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services_sharing.break_glass_open(case=case, acting_user=request.user,
                                          reason=form.cleaned_data["reason"])
        messages.warning(request, _("The restricted notes are open to you for %(minutes)d "
                                    "minutes. Every coordinator is told.") % {
            "minutes": services_sharing.break_glass_minutes()})
        return redirect("cases:notes", pk=case.pk)
    return render(request, "cases/break_glass.html",
                  access.case_context(request, case, "notes", form=form))
