"""`shelter.links.link_maker` gives the address `reverse()` gives, for every kind of argument,
and refuses samples it cannot find in the address."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from shelter.links import SAMPLE_INT, SAMPLE_STR, SAMPLE_UUID, link_maker


@pytest.mark.parametrize("pk", [uuid.uuid4(), uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)])
def test_a_uuid_route(pk):
    assert link_maker("cases:profile", SAMPLE_UUID)(pk) == reverse("cases:profile", args=[pk])


@pytest.mark.parametrize("pk", [1, 7, SAMPLE_INT, 10**12])
def test_an_int_route(pk):
    assert link_maker("audit:actor", SAMPLE_INT)(pk) == reverse("audit:actor", args=[pk])


@pytest.mark.parametrize("target_id", ["42", "a:b@c", "x y", "ä+1", "50%", "?#&"])
def test_two_string_arguments_are_quoted_as_reverse_quotes_them(target_id):
    link = link_maker("audit:target", SAMPLE_STR, SAMPLE_STR + "2")
    assert link("cases.note", target_id) == reverse("audit:target",
                                                    args=["cases.note", target_id])


def test_the_wrong_number_of_arguments_or_a_sample_the_address_hides_is_refused():
    with pytest.raises(TypeError):
        link_maker("cases:profile", SAMPLE_UUID)()
    with pytest.raises(TypeError):
        link_maker("audit:events")
    with pytest.raises(ValueError):
        # A sample reverse() quotes does not appear in the address as given.
        link_maker("audit:target", SAMPLE_STR, "two words")


def test_a_kept_link_maker_is_made_once_and_gives_what_reverse_gives():
    from django.urls import set_script_prefix

    from shelter.links import kept_link_maker

    pk = uuid.uuid4()
    assert kept_link_maker("cases:tasks", SAMPLE_UUID) is kept_link_maker("cases:tasks",
                                                                         SAMPLE_UUID)
    assert kept_link_maker("cases:tasks", SAMPLE_UUID)(pk) == reverse("cases:tasks", args=[pk])
    set_script_prefix("/shelter/")
    try:  # another prefix, another function
        assert kept_link_maker("cases:tasks", SAMPLE_UUID)(pk) == f"/shelter/cases/{pk}/tasks/"
    finally:
        set_script_prefix("/")
    assert kept_link_maker("cases:tasks", SAMPLE_UUID)(pk) == f"/cases/{pk}/tasks/"
