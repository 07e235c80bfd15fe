"""Coordinators manage users and organisations here."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shelter.access import guarded_by
from shelter.accounts import services
from shelter.accounts.access import access_organisation, access_people, access_person
from shelter.accounts.forms import InviteForm, OrganisationForm, PersonForm
from shelter.accounts.models import Organisation, User
from shelter.accounts.views import invited


@guarded_by(access_people)
def people(request: HttpRequest) -> HttpResponse:
    access_people(request)
    users = User.objects.select_related("organisation").prefetch_related("groups")
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/people.html", {"page": page})


@guarded_by(access_people)
def person_invite(request: HttpRequest) -> HttpResponse:
    access_people(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, path = services.user_invite(acting_user=request.user, **form.cleaned_data)
        return invited(request, user, path)  # e-mails the link, shows it as the fallback
    return render(request, "accounts/person_form.html", {"form": form, "title": _("Invite a user")})


@guarded_by(access_person)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = access_person(request, pk)
    initial = {"full_name": person.full_name, "role": person.role,
               "organisation": person.organisation}
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.user_update(user=person, acting_user=request.user, **form.cleaned_data)
        messages.success(request, _("The user is saved."))
        return redirect("accounts:people")
    return render(request, "accounts/person_form.html",
                  {"form": form, "person": person, "title": _("Change user")})


@require_POST
@guarded_by(access_person)
def person_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    person = access_person(request, pk)
    active = request.POST.get("active") == "1"
    if person == request.user and not active:
        messages.error(request, _("You cannot deactivate your own account."))
    else:
        services.user_set_active(user=person, active=active, acting_user=request.user)
        messages.success(request, _("The user is reactivated.") if active else
                         _("The user is deactivated and signed out everywhere."))
    return redirect("accounts:person_edit", pk=person.pk)


@require_POST
@guarded_by(access_person)
def person_reset_second_factor(request: HttpRequest, pk: int) -> HttpResponse:
    person = access_person(request, pk)
    services.user_reset_second_factor(user=person, acting_user=request.user)
    if person == request.user:
        # Their own session is gone from the store: start a clean anonymous one, so the
        # response does not try to save the deleted session back.
        logout(request)
        messages.info(request, _("Your second factor is reset. Sign in and set it up again."))
        return redirect(settings.LOGIN_URL)
    messages.success(request, _("The second factor is reset; the user enrols again at sign-in."))
    return redirect("accounts:person_edit", pk=person.pk)


@guarded_by(access_organisation)
def organisations(request: HttpRequest) -> HttpResponse:
    access_organisation(request)
    return render(request, "accounts/organisations.html",
                  {"organisations": Organisation.objects.all()})


@guarded_by(access_organisation)
def organisation_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    organisation = access_organisation(request, pk)
    initial = ({"name": organisation.name, "kind": organisation.kind,
                "is_active": organisation.is_active} if organisation else {"is_active": True})
    form = OrganisationForm(request.POST or None, initial=initial, instance=organisation)
    if request.method == "POST" and form.is_valid():
        if organisation:
            services.organisation_update(organisation=organisation, acting_user=request.user,
                                         **form.cleaned_data)
        else:
            services.organisation_create(acting_user=request.user, name=form.cleaned_data["name"],
                                         kind=form.cleaned_data["kind"])
        messages.success(request, _("The organisation is saved."))
        return redirect("accounts:organisations")
    title = _("Change organisation") if organisation else _("New organisation")
    return render(request, "accounts/organisation_form.html",
                  {"form": form, "organisation": organisation, "title": title})
