"""Coordinators manage users and organisations through the pages; nobody else can."""

from __future__ import annotations

import pytest
from django.test import Client

from shelter.accounts.models import Organisation, User

pytestmark = pytest.mark.django_db


def test_coordinator_invites_a_partner_who_sets_a_password(carla, ngo, as_user):
    client = as_user(carla)
    response = client.post("/accounts/people/invite/", {
        "email": "New.Partner@Example.org", "full_name": "New Partner",
        "role": "Partner", "organisation": ngo.pk,
    })
    assert response.status_code == 200
    link = response.context["link"]
    invitee = User.objects.get(email="new.partner@example.org")
    assert invitee.role == "Partner" and not invitee.has_usable_password()
    path = link.replace("http://testserver", "")
    weak = Client().post(path, {"password1": "short", "password2": "short"})
    assert weak.status_code == 400 and not User.objects.get(pk=invitee.pk).has_usable_password()
    strong = "a much longer passphrase 42"
    chosen = Client().post(path, {"password1": strong, "password2": strong})
    assert chosen.status_code == 302 and chosen["Location"] == "/accounts/enrol/"
    # The link works once.
    assert Client().get(path).status_code == 404


def test_partner_role_needs_partner_organisation(carla, municipality, as_user):
    response = as_user(carla).post("/accounts/people/invite/", {
        "email": "x@example.org", "full_name": "X", "role": "Partner",
        "organisation": municipality.pk,
    })
    assert response.status_code == 200
    assert not User.objects.filter(email="x@example.org").exists()


def test_duplicate_email_gets_a_clear_message(carla, olaf, municipality, as_user):
    response = as_user(carla).post("/accounts/people/invite/", {
        "email": olaf.email.upper(), "full_name": "X", "role": "Case officer",
        "organisation": municipality.pk,
    })
    assert response.status_code == 200 and response.context["form"].errors["email"]


def test_coordinator_changes_role(carla, otto, as_user, municipality):
    response = as_user(carla).post(f"/accounts/people/{otto.pk}/", {
        "full_name": "Otto", "role": "Coordinator", "organisation": municipality.pk,
    })
    assert response.status_code == 302
    assert User.objects.get(pk=otto.pk).role == "Coordinator"


def test_coordinator_cannot_deactivate_self(carla, as_user):
    as_user(carla).post(f"/accounts/people/{carla.pk}/active/", {"active": "0"})
    assert User.objects.get(pk=carla.pk).is_active


def test_coordinator_creates_organisation(carla, as_user):
    response = as_user(carla).post("/accounts/organisations/new/",
                                   {"name": "Psy", "kind": "psychologist", "is_active": "on"})
    assert response.status_code == 302
    assert Organisation.objects.filter(name="Psy").exists()


@pytest.mark.parametrize("persona", ["olaf", "pia", "aud"])
@pytest.mark.parametrize("path", ["/accounts/people/", "/accounts/people/invite/",
                                  "/accounts/organisations/", "/accounts/organisations/new/"])
def test_only_coordinators_manage_people(persona, path, request, as_user):
    user = request.getfixturevalue(persona)
    assert as_user(user).get(path).status_code == 403
    assert as_user(user).post(path, {"name": "X", "kind": "other"}).status_code == 403
    assert not Organisation.objects.filter(name="X").exists()


@pytest.mark.parametrize("language,word", [("nl", "Uitloggen"), ("en", "Sign out")])
def test_language_switch(language, word, olaf, as_user):
    client = as_user(olaf)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert word in client.get("/").content.decode()


def test_create_coordinator_bootstraps_the_first_account():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_coordinator", "lead@example.org", "Lead", stdout=out)
    user = User.objects.get(email="lead@example.org")
    assert user.role == "Coordinator" and user.organisation.is_municipality
    assert "/accounts/invitation/" in out.getvalue()
