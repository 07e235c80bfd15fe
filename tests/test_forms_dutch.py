"""Dutch on the Dutch page, English on the English one: password messages (Django 5.2's own
catalogue lacks the new minimum-length message), role and section names (never the stored
codes), the occupants on the find-a-unit page, and the shared form include's fieldsets."""

from __future__ import annotations

import datetime
import re

import pytest
from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cases.sharing.labels import section_label
from shelter.accounts import services as account_services
from shelter.accounts.models import User
from shelter.accounts.roles import Role
from shelter.audit import labels as log_labels
from tests.factories import make_case, make_share, verified_client

pytestmark = pytest.mark.django_db


def in_dutch(client: Client) -> Client:
    client.cookies["django_language"] = "nl"
    return client


def messages_for(password: str, language: str) -> list[str]:
    with translation.override(language):
        try:
            password_validation.validate_password(password)
        except ValidationError as error:
            return error.messages
    return []


@pytest.mark.parametrize(("password", "dutch", "english"), [
    ("kort", "Dit wachtwoord is te kort. Het moet minstens 12 tekens bevatten.",
     "This password is too short. It must contain at least 12 characters."),
    ("password1234", "Dit wachtwoord is te algemeen.", "This password is too common."),
    ("123456789012345", "Dit wachtwoord bevat alleen cijfers.",
     "This password is entirely numeric."),
])
def test_every_password_rule_speaks_both_languages(password, dutch, english):
    assert dutch in messages_for(password, "nl")
    assert english in messages_for(password, "en")


def test_the_invitation_page_refuses_a_short_password_in_dutch(carla, ngo):
    _user, path = account_services.user_invite(
        email="nieuw@example.org", full_name="Nieuwe Partner", role=Role.PARTNER,
        organisation=ngo, acting_user=carla)
    client = in_dutch(Client())
    response = client.post(path, {"password1": "kort", "password2": "kort"})
    html = response.content.decode()
    assert "Dit wachtwoord is te kort. Het moet minstens 12 tekens bevatten." in html
    assert "too short" not in html and "Er is een probleem" in html
    assert not User.objects.get(email="nieuw@example.org").has_usable_password()
    response = client.post(path, {"password1": "password1234", "password2": "password1234"})
    assert "Dit wachtwoord is te algemeen." in response.content.decode()


@pytest.mark.parametrize("section", ["programme", "documents", "notes", "tasks", "history"])
def test_a_whole_section_is_named_not_coded(section):
    with translation.override("nl"):
        dutch = section_label(section)
    with translation.override("en"):
        english = section_label(section)
        assert english == str(log_labels.SECTION_LABELS[section])
    with translation.override("nl"):
        assert dutch == str(log_labels.SECTION_LABELS[section])
    assert dutch != section


def test_the_people_section_of_the_log_is_named():
    with translation.override("nl"):
        assert log_labels.section_label("people") == "gebruikers en organisaties"
    with translation.override("en"):
        assert log_labels.section_label("people") == "people and organisations"


def test_roles_and_sections_on_the_pages_in_dutch_and_english(carla, olaf, pia, aud):
    case = make_case(carla, officer=olaf)
    make_share(case, olaf, user=pia, sections=("basic", "documents.medical"))
    assert verified_client(pia).get(reverse("accounts:people")).status_code in (403, 404)
    coordinator = in_dutch(verified_client(carla))
    people = coordinator.get(reverse("accounts:people")).content.decode()
    assert "<td>Casemanager</td>" in people and "<td>Coördinator</td>" in people
    assert "Case officer" not in people
    sharing = in_dutch(verified_client(olaf)).get(
        reverse("cases:sharing", args=[case.pk])).content.decode()
    assert "Basis: codenaam, fase, data, Documenten: Medisch" in sharing
    partner = in_dutch(verified_client(pia)).get(reverse("cases:shared_with_me")).content
    assert "Basis: codenaam, fase, data" in partner.decode()
    log = in_dutch(verified_client(aud)).get(reverse("audit:events")).content.decode()
    cells = re.findall(r"<td>([^<>]*)</td>", log)
    assert "Casemanager" in cells and "Case officer" not in cells
    assert "gebruikers en organisaties" in cells  # pia's refused look at the people list
    assert not {"basic", "documents", "documents.medical", "people", "sharing"} & set(cells)
    english = verified_client(carla).get(reverse("accounts:people")).content.decode()
    assert "<td>Case officer</td>" in english and "Casemanager" not in english


def test_find_a_unit_asks_for_occupants_not_users(olaf):
    dutch = in_dutch(verified_client(olaf)).get(reverse("housing:find")).content.decode()
    assert "Aantal bewoners" in dutch
    form = dutch[dutch.index('<form method="post" class="form">'):]
    assert "Gebruikers" not in form[:form.index("</form>")]
    english = verified_client(olaf).get(reverse("housing:find")).content.decode()
    assert "Number of occupants" in english


def test_checkbox_groups_are_fieldsets_with_a_legend(olaf):
    html = verified_client(olaf).get(reverse("housing:find")).content.decode()
    assert 'for=""' not in html
    group = re.search(r'<fieldset class="field field--group[^"]*"[^>]*>\s*<legend class='
                      r'"field__label">(.*?)</legend>', html, re.S)
    assert group and "Accessibility needs" in group.group(1)


class _Sample(forms.Form):
    colour = forms.ChoiceField(label="Colour", widget=forms.RadioSelect,
                               choices=[("red", "Red"), ("blue", "Blue")],
                               help_text="Pick one.")
    name = forms.CharField(label="Name", help_text="As in the passport.")


def test_the_include_links_the_summary_to_group_and_field():
    form = _Sample(data={})
    with translation.override("en"):
        html = render_to_string("includes/form.html", {"form": form})
    assert '<a href="#id_colour_0">Colour: This field is required.</a>' in html
    assert '<a href="#id_name">Name: This field is required.</a>' in html
    assert 'aria-describedby="id_colour_helptext id_colour_error"' in html  # the fieldset
    name_input = re.search(r'<input[^>]*id="id_name"[^>]*>', html).group(0)
    assert 'aria-describedby="id_name_helptext id_name_error"' in name_input
    assert 'aria-invalid="true"' in name_input
    unbound = render_to_string("includes/form.html", {"form": _Sample()})
    assert "error-summary" not in unbound and "aria-invalid" not in unbound


def test_the_transition_reason_is_not_called_optional(carla, olaf):
    case = make_case(carla, officer=olaf, planned_arrival=datetime.date.today())
    html = verified_client(olaf).get(reverse("cases:transition", args=[case.pk])).content
    assert "(required for a decision)" in html.decode() and "Reason or decision note <span" \
        in html.decode()
