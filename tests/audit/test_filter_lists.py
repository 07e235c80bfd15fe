"""The filter form's lists, read and written for speed, give what the ORM and QuickSelect give:
the same rows, in English and Dutch; and the page names its entries'
actors and organisations from those lists, without a query of its own."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from shelter import audit
from shelter.accounts.models import Organisation, User
from shelter.audit import Action, selectors
from shelter.audit.forms import EventFilterForm
from shelter.forms import QuickSelect
from tests.factories import sent_queries


@pytest.mark.django_db
def test_every_row_is_what_the_orm_reads(people):
    User.objects.filter(pk=people["olaf"].pk).update(full_name="")  # named by e-mail
    choices, names = selectors.user_choices_and_names()
    rows = list(User.objects.values_list("pk", "full_name", "email"))
    assert choices == [(pk, name or email) for pk, name, email in rows]
    assert names == {pk: name for pk, name, _email in rows}
    assert selectors.organisation_choices() == list(Organisation.objects.values_list("pk",
                                                                                     "name"))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_fixed_lists_are_the_fields_own_choices_translated(language):
    with translation.override(language):
        form = EventFilterForm()
        for name in ("action", "outcome", "method"):
            field = form.fields[name]
            assert list(field.widget.choices) == [(v, str(label)) for v, label in field.choices]
            assert field.widget.render(name, None) == QuickSelect(
                choices=field.choices).render(name, None)
    words = dict(form.fields["action"].widget.choices)[int(Action.SIGN_IN)]
    assert (words == "Signed in (first step)") == (language == "en")  # each language its own


@pytest.mark.django_db
def test_forms_do_not_share_what_a_request_changes():
    first, second = EventFilterForm(), EventFilterForm()
    first.fields["action"].widget.attrs["data-x"] = "1"
    assert "data-x" not in second.fields["action"].widget.attrs
    assert first.fields["action"].choices is second.fields["action"].choices  # constants


@pytest.mark.django_db
def test_the_page_names_actors_and_organisations_from_the_filter_lists(as_user, aud, olaf,
                                                                       municipality):
    audit.record(olaf, Action.CASE_LIST, None)
    client = as_user(aud)
    sent = sent_queries(lambda: client.get(reverse("audit:events")))
    by_id = [sql for sql in sent if ("accounts_user" in sql or "accounts_organisation" in sql)
             and " IN (" in sql]
    assert by_id == []
    html = client.get(reverse("audit:events")).content.decode()
    assert f'<a href="{reverse("audit:actor", args=[olaf.pk])}">{olaf.full_name}</a>' in html
    assert f"<td>{municipality.name}</td>" in html
