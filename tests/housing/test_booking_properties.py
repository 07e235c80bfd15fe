"""Property: any sequence of create/move/extend/cancel leaves no two active bookings of a unit
overlapping (turnover buffers included), and every refusal was a true conflict — checked
against a plain model of sets of nights."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from housing import services
from housing.models import Booking
from tests.factories import day, make_case, make_unit

OFFERED = (0, 32)
BLOCK = (24, 26)

create = st.tuples(st.just("create"), st.integers(0, 1), st.integers(-2, 30),
                   st.integers(1, 8), st.integers(0, 2))
ops = st.lists(st.one_of(
    create, create,
    st.tuples(st.just("move"), st.integers(0, 9), st.integers(-2, 32), st.integers(1, 8)),
    st.tuples(st.just("extend"), st.integers(0, 9), st.integers(1, 10)),
    st.tuples(st.just("cancel"), st.integers(0, 9)),
), min_size=4, max_size=20)


class Model:
    """The truth, in the simplest terms: sets of occupied days."""

    def __init__(self, buffers: list[int]) -> None:
        self.buffers = buffers
        self.active: dict[int, tuple[int, int, int]] = {}  # index -> (unit, start, end)

    def allowed(self, unit: int, start: int, end: int, ignore: int | None = None) -> bool:
        nights = set(range(start, end))
        if not nights <= set(range(*OFFERED)) or nights & set(range(*BLOCK)):
            return False
        mine = set(range(start, end + self.buffers[unit]))
        return not any(set(range(s, e + self.buffers[u])) & mine
                       for i, (u, s, e) in self.active.items() if u == unit and i != ignore)


def _assert_no_overlap(units) -> None:
    for unit in units:
        rows = list(Booking.objects.filter(unit=unit, status__in=Booking.ACTIVE)
                    .order_by("start").values_list("start", "blocked_until"))
        for (_s1, until), (s2, _u2) in zip(rows, rows[1:], strict=False):
            assert s2 >= until, "two active bookings overlap"


def _apply(op, units, cases, bookings, model, user) -> None:
    kind = op[0]
    if kind == "create":
        _kind, u, start, length, c = op
        expected = model.allowed(u, start, start + length)
        try:
            booking = services.booking_create(unit=units[u], case=cases[c], start=day(start),
                                              end=day(start + length), acting_user=user)
        except services.BookingConflict:
            assert not expected, "refused although free"
            return
        assert expected, "accepted although it clashes"
        model.active[len(bookings)] = (u, start, start + length)
        bookings.append(booking)
        return
    if not bookings:
        return
    index = op[1] % len(bookings)
    booking = bookings[index]
    if kind == "cancel":
        if index in model.active:
            services.booking_cancel(booking=booking, acting_user=user)
            del model.active[index]
        return
    if index not in model.active:
        return
    u, old_start, _old_end = model.active[index]
    start, end = (op[2], op[2] + op[3]) if kind == "move" else (old_start, old_start + op[2])
    expected = model.allowed(u, start, end, ignore=index)
    try:
        if kind == "move":
            services.booking_move(booking=booking, start=day(start), end=day(end),
                                  acting_user=user)
        else:
            services.booking_extend(booking=booking, end=day(end), acting_user=user)
    except services.BookingConflict:
        assert not expected, "refused although free"
        return
    assert expected, "accepted although it clashes"
    model.active[index] = (u, start, end)


@pytest.fixture
def world(carla):
    units = [make_unit(carla, "Linden", buffer=0, offered=OFFERED),
             make_unit(carla, "Maple", buffer=2, offered=OFFERED)]
    for unit in units:
        services.block_add(unit=unit, start=day(BLOCK[0]), end=day(BLOCK[1]),
                           reason="maintenance", acting_user=carla)
    cases = [make_case(carla, code_name=f"Case{i}", legal_name=f"Person {i}",
                       passport_number=f"P{i}") for i in range(3)]
    return units, cases


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(sequence=ops)
def test_random_sequences_never_double_book_and_only_refuse_true_conflicts(world, olaf,
                                                                            sequence):
    units, cases = world
    model = Model([0, 2])
    with transaction.atomic():
        bookings: list[Booking] = []
        for op in sequence:
            _apply(op, units, cases, bookings, model, olaf)
            _assert_no_overlap(units)
        transaction.set_rollback(True)
