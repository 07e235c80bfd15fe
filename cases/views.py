"""Case officers' workspace: list, search, create, profile, residency, stage changes, history.

Thin views: a guard of `cases.access` looks the case up, checks the policy and records the
read (404 when refused), a selector reads, a service writes, the template renders.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cases import access, history, policies, selectors, services, subject_access
from cases.forms import (
    CaseCreateForm,
    CaseFilterForm,
    CaseForm,
    CaseSearchForm,
    DefenderForm,
    TransitionForm,
)
from cases.logistics import selectors as logistics_selectors
from cases.rows import case_rows
from cases.statistics import hosted_per_region
from shelter.access import guarded_by
from shelter.accounts.recent import ask_for_recent_second_factor
from shelter.audit import Action
from shelter.audit.web import mark_audited, record_rejection
from shelter.charts import bar_chart


def _sort_columns(request: HttpRequest, sort: str) -> list[dict[str, str | None]]:
    """The case table's headers: each sortable one links to the list sorted by it (ascending
    first, descending when it is the current ascending order), filters kept, page reset."""
    columns = [("code_name", _("Code name")), ("stage", _("Stage")), ("officer", _("Officer")),
               (None, _("Country")), ("arrival", _("Planned arrival")),
               ("departure", _("Planned departure"))]
    query = request.GET.copy()
    query.pop("page", None)
    result = []
    for key, label in columns:
        entry: dict[str, str | None] = {"label": label, "href": None, "aria_sort": None}
        if key is not None:
            ascending_now = sort == key
            entry["aria_sort"] = ("ascending" if ascending_now else
                                  "descending" if sort == f"-{key}" else None)
            query["sort"] = f"-{key}" if ascending_now else key
            entry["href"] = f"?{query.urlencode()}"
            entry["next"] = (_("sort descending") if ascending_now else _("sort ascending"))
        result.append(entry)
    return result


@guarded_by(access.access_case_list_page, access.access_case_list)
def case_list(request: HttpRequest) -> HttpResponse:
    """The case list. Filters and sort order are GET parameters (a bookmarkable address, with
    no personal data in it); a filter that cannot be understood (an unknown country) answers
    400 with its message and no rows, never a silently unfiltered list."""
    filters = CaseFilterForm(request.GET or None, officers=selectors.officers())
    status, page = 200, None
    if filters.is_bound and not filters.is_valid():
        access.access_case_list(request)
        status = 400
    else:
        page = access.access_case_list_page(request, filters.cleaned_data if filters.is_bound
                                            else {}, request.GET.get("page"))
    sort = filters.cleaned_data.get("sort", "") if filters.is_bound and status == 200 else ""
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "cases/list.html", {
        "page": page, "rows": case_rows(page.object_list) if page else [],
        "filters": filters, "search": CaseSearchForm(), "query": query.urlencode(),
        "can_create": policies.can_create_case(request.user),
        "columns": _sort_columns(request, sort),
    }, status=status)


@sensitive_post_parameters()
@require_POST
@guarded_by(access.access_case_search)
def case_search(request: HttpRequest) -> HttpResponse:
    """POST, so names and passport numbers never land in URLs, logs or browser history."""
    search = CaseSearchForm(request.POST)
    results = access.access_case_search(
        request, search.cleaned_data["query"] if search.is_valid() else None)
    return render(request, "cases/search.html", {"search": search, "results": results,
                                                 "rows": case_rows(results),
                                                 "searched": search.is_valid()})


@sensitive_post_parameters()
@guarded_by(access.access_case_create)
def case_create(request: HttpRequest) -> HttpResponse:
    access.access_case_create(request)
    form = CaseCreateForm(request.POST or None, defenders=selectors.defenders_for_choice(
        request.user), officers=selectors.officers())
    if request.method == "POST" and form.is_valid():
        case = services.case_open(acting_user=request.user,
                                  defender=form.cleaned_data["existing_defender"],
                                  defender_values=form.defender_values(), **form.case_values())
        messages.success(request, _("The case is opened."))
        return redirect("cases:profile", pk=case.pk)
    return render(request, "cases/create.html", {"form": form},
                  status=400 if form.is_bound else 200)


@guarded_by(access.access_case)
def case_profile(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    sections = ("basic", "identity", "contact")
    case = access.access_case(request, pk, *sections)
    return render(request, "cases/profile.html", access.case_context(
        request, case, "basic", sections=set(access.shown_sections(request.user, case, sections)),
        can_export=policies.can_export_subject_data(request.user, case),
        logistics_warnings=logistics_selectors.case_warnings(request.user, case)))


@sensitive_post_parameters()
@guarded_by(access.access_case)
def defender_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The form shows the values it changes, so opening it is recorded as a read; a user who
    may read but not change them gets 404, like one who may not read them."""
    case = access.access_case(request, pk, "identity", "contact")
    if not policies.can_change_case(request.user, case):
        raise access.refuse(request, pk, "identity")
    defender = case.defender
    form = DefenderForm(request.POST or None, defender=defender,
                        initial=DefenderForm.initial_for(defender))
    if request.method == "POST" and form.is_valid():
        services.defender_update(defender=defender, acting_user=request.user,
                                 **form.service_values())
        messages.success(request, _("The defender's details are saved."))
        return redirect("cases:profile", pk=case.pk)
    return render(request, "cases/edit.html", access.case_context(
        request, case, "basic", form=form, title=_("Change identity and contact details")),
        status=400 if form.is_bound else 200)


@guarded_by(access.access_case)
def case_residency(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = access.access_case(request, pk, "residency")
    return render(request, "cases/residency.html",
                  access.case_context(request, case, "residency"))


@sensitive_post_parameters()
@guarded_by(access.access_case)
def case_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Like `defender_edit`: recorded as a read of the residency, 404 unless changeable."""
    case = access.access_case(request, pk, "residency")
    if not policies.can_change_case(request.user, case):
        raise access.refuse(request, pk, "residency")
    form = CaseForm(request.POST or None, officers=selectors.officers(),
                    initial=CaseForm.initial_for(case))
    if request.method == "POST" and form.is_valid():
        services.case_update(case=case, acting_user=request.user, **form.service_values())
        messages.success(request, _("The residency details are saved."))
        return redirect("cases:residency", pk=case.pk)
    return render(request, "cases/edit.html", access.case_context(
        request, case, "residency", form=form, title=_("Change residency details")),
        status=400 if form.is_bound else 200)


@sensitive_post_parameters()
@guarded_by(access.access_case)
def case_transition(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = access.access_case(request, pk, "basic", write=True)
    may_override = policies.can_override_guards(request.user, case)
    form = TransitionForm(request.POST or None, case=case, may_override=may_override)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_transition(
                case=case, to=form.cleaned_data["to"], acting_user=request.user,
                reason=form.cleaned_data["reason"],
                override=bool(form.cleaned_data.get("override")),
                override_reason=form.cleaned_data.get("override_reason") or "")
        except services.TransitionError as error:
            for message in error.messages:
                form.add_error(None, message)
            if error.overridable and may_override:
                form.add_error(None, _("A coordinator may override these checks, with a "
                                       "reason."))
            # A guard said no (a business rule), not an access refusal.
            record_rejection(request, Action.CASE_TRANSITION, case, reason="guard",
                             from_stage=case.stage, to_stage=form.cleaned_data["to"])
        else:
            messages.success(request, _("The stage is changed."))
            return redirect("cases:profile", pk=case.pk)
    return render(request, "cases/transition.html",
                  access.case_context(request, case, "basic", form=form))


@guarded_by(access.access_case)
def case_history(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = access.access_case(request, pk, "history")
    events = entries = None
    if policies.can_view_access_history(request.user, case):
        entries, events = history.history_page(request.user, case)
    return render(request, "cases/history.html", access.case_context(
        request, case, "history", transitions=selectors.case_transitions(case), events=events,
        entries=entries))


@guarded_by(access.access_statistics)
def statistics(request: HttpRequest) -> HttpResponse:
    """Aggregate counts per year (no personal data) for coordinators and case officers."""
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    year = min(max(year, 2000), this_year + 5)
    access.access_statistics(request, year)
    hosted = hosted_per_region(request.user, year)
    return render(request, "cases/statistics.html", {
        "stats": selectors.residency_statistics(request.user, year),
        "hosted": hosted, "hosted_chart": bar_chart(
            title=_("Defenders hosted per year and region"), category_label=_("Year"),
            categories=[str(y) for y in hosted["years"]], series=hosted["series"]),
        "years": range(this_year + 1, this_year - 10, -1)})


@require_POST
@guarded_by(access.access_subject_export)
def case_export(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A defender's subject-access export, as a JSON download named by case id only.

    Needs a code from the last minutes. Restricted notes are included only where the
    coordinator may read them (assigned, or break-glass open), like everywhere else.
    """
    case = access.access_subject_export(request, pk)
    fresh = ask_for_recent_second_factor(request, reverse("cases:profile", args=[pk]))
    if fresh is not None:
        return fresh
    document = subject_access.subject_access_export(request.user, case.defender)
    mark_audited(request)
    response = HttpResponse(document, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"subject-access-{case.pk}.json")
    return response
