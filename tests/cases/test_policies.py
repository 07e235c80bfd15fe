"""cases.policies: who may see which case, section and note; deny by default."""

from __future__ import annotations

import pytest

from cases import choices, policies
from cases.models import Case
from cases.selectors import visible_cases
from shelter.accounts.models import User

STAFF = ["carla", "olaf", "otto"]
OUTSIDERS = ["pia", "paul", "aud"]


@pytest.fixture
def people(carla, olaf, otto, pia, paul, aud) -> dict[str, User]:
    return {"carla": carla, "olaf": olaf, "otto": otto, "pia": pia, "paul": paul, "aud": aud}


@pytest.mark.parametrize("name", STAFF)
def test_coordinators_and_officers_see_every_section_of_every_case(people, case, name):
    user = people[name]
    assert policies.can_view_case(user, case)
    assert all(policies.can_view_section(user, case, s) for s in choices.SECTIONS)
    assert policies.can_change_case(user, case) and policies.can_transition(user, case)
    assert list(visible_cases(user)) == [case]


@pytest.mark.parametrize("name", OUTSIDERS)
def test_partners_and_auditors_see_nothing(people, case, name):
    user = people[name]
    assert not policies.can_view_case(user, case)
    assert not any(policies.can_view_section(user, case, s) for s in choices.SECTIONS)
    assert not policies.can_change_case(user, case)
    assert not policies.can_transition(user, case)
    assert not visible_cases(user).exists()


def test_an_unknown_section_is_refused_even_to_a_coordinator(carla, case):
    assert not policies.can_view_section(carla, case, "everything")


def test_a_deactivated_officer_sees_nothing(olaf, case):
    olaf.is_active = False
    assert not policies.can_view_case(olaf, case)
    assert not visible_cases(olaf).exists()


def test_anonymous_and_roleless_users_see_nothing(case, municipality):
    from django.contrib.auth.models import AnonymousUser

    from tests.factories import make_user

    nobody = make_user("nobody@example.org", None, municipality)
    for user in (AnonymousUser(), nobody, None):
        assert not visible_cases(user).exists()
        assert not policies.can_view_case(user, case)


@pytest.mark.parametrize("category", ["medical", "security"])
def test_restricted_notes_only_for_the_assigned_officer_and_break_glass(people, case,
                                                                        category):
    def sees(name):
        return policies.can_view_note_category(people[name], case, category)

    assert sees("olaf")
    assert not sees("carla")  # only through break-glass
    assert not sees("otto")
    assert not any(sees(n) for n in OUTSIDERS)


@pytest.mark.parametrize("category", ["general", "programme"])
def test_other_notes_for_every_officer(people, case, category):
    assert all(policies.can_view_note_category(people[n], case, category) for n in STAFF)
    assert not any(policies.can_view_note_category(people[n], case, category) for n in OUTSIDERS)


def test_access_history_for_coordinators_and_the_assigned_officer(people, case):
    assert policies.can_view_access_history(people["carla"], case)
    assert policies.can_view_access_history(people["olaf"], case)
    assert not policies.can_view_access_history(people["otto"], case)


def test_transition_only_to_a_following_stage(olaf, case):
    assert policies.can_transition(olaf, case, Case.Stage.UNDER_REVIEW)
    assert not policies.can_transition(olaf, case, Case.Stage.CLOSED)


def test_a_shredded_case_shows_only_its_tombstone(olaf, case):
    from django.utils import timezone

    case.shredded_at = timezone.now()
    assert policies.can_view_section(olaf, case, "basic")
    assert not policies.can_view_section(olaf, case, "identity")
    assert not policies.can_change_case(olaf, case)
