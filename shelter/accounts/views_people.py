"""Coordinators manage users and organisations here."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shelter.access import guarded_by
from shelter.accounts import phishing, services
from shelter.accounts.access import access_organisation, access_people, access_person
from shelter.accounts.forms import InviteForm, OrganisationForm, PersonForm
from shelter.accounts.models import Organisation, User
from shelter.accounts.recent import ask_for_recent_second_factor
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


def confirmed(request: HttpRequest) -> bool:
    """A POST from the confirmation page (an old form without `confirmed=1` only asks)."""
    return request.method == "POST" and request.POST.get("confirmed") == "1"


def _confirm(request: HttpRequest, person: User, *, title: str, consequences: list[str],
             confirm_label: str) -> HttpResponse:
    """The confirmation page of a destructive act on `person`: it posts back to this URL."""
    return render(request, "confirm.html", {
        "title": title, "consequences": consequences, "confirm_label": confirm_label,
        "action_url": request.path,
        "cancel_url": reverse("accounts:person_edit", args=[person.pk])})


def _confirm_deactivate(request: HttpRequest, person: User) -> HttpResponse:
    name = person.full_name or person.email
    return _confirm(request, person, title=_("Deactivate %(name)s?") % {"name": name},
                    confirm_label=_("Deactivate and sign out everywhere"), consequences=[
        _("%(name)s can no longer sign in.") % {"name": name},
        _("Every open session of %(name)s ends at once.") % {"name": name},
        _("Cases, notes, documents and the access log stay as they are; nothing is "
          "deleted."),
        _("You can reactivate the account later on this page."),
    ])


@guarded_by(access_person)
def person_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Reactivate at once (POST active=1); deactivating asks first (GET, or a POST without
    `confirmed=1`, shows what will happen) and acts on the confirmation's POST."""
    person = access_person(request, pk)
    reactivate = request.method == "POST" and request.POST.get("active") == "1"
    if not reactivate and person == request.user:
        messages.error(request, _("You cannot deactivate your own account."))
        return redirect("accounts:person_edit", pk=person.pk)
    if not reactivate and not person.is_active:
        return redirect("accounts:person_edit", pk=person.pk)  # nothing to confirm
    if not reactivate and not confirmed(request):
        return _confirm_deactivate(request, person)
    services.user_set_active(user=person, active=reactivate, acting_user=request.user)
    messages.success(request, _("The user is reactivated.") if reactivate else
                     _("The user is deactivated and signed out everywhere."))
    return redirect("accounts:person_edit", pk=person.pk)


def _confirm_second_factor_reset(request: HttpRequest, person: User) -> HttpResponse:
    name = person.full_name or person.email
    consequences = [
        _("The authenticator app, the passkeys and the backup codes of %(name)s stop "
          "working and are removed.") % {"name": name},
        _("Every open session of %(name)s ends at once.") % {"name": name},
        _("At the next sign-in, %(name)s enters their password and sets up a new second "
          "factor.") % {"name": name},
    ]
    return _confirm(request, person, consequences=consequences,
                    title=_("Reset the second factor of %(name)s?") % {"name": name},
                    confirm_label=_("Reset second factor"))


@guarded_by(access_person)
def person_reset_second_factor(request: HttpRequest, pk: int) -> HttpResponse:
    """GET (or a POST without `confirmed=1`) shows what will happen; the confirmation's POST
    removes the devices."""
    person = access_person(request, pk)
    # Nobody resets their own factors, and a session signed in by a recovery method (or with a
    # young recovery passkey) resets nobody's: a phished code must not let its holder replace
    # the owner's factors or take over someone else's account (shelter.accounts.phishing).
    if reason := phishing.second_factor_reset_refusal(request, person):
        return phishing.refuse(request, "accounts.user", person.pk, reason, section="people")
    if fresh := ask_for_recent_second_factor(request):
        return fresh
    if not confirmed(request):
        return _confirm_second_factor_reset(request, person)
    services.user_reset_second_factor(user=person, acting_user=request.user)
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
