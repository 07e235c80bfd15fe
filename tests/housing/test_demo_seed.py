"""housing.demo.seed: units for the demo cases, bookings that respect the rules, idempotent."""

from __future__ import annotations

import io

from cases import demo as case_demo
from housing import demo
from housing.models import Booking, Unit


def test_seed_creates_units_and_bookings_once(db, carla):
    out = io.StringIO()
    case_demo.seed(out)
    demo.seed(out)
    assert Unit.objects.count() == len(demo.UNITS)
    assert Booking.objects.filter(status="confirmed").exists()
    bookings = Booking.objects.count()
    demo.seed(out)
    assert Unit.objects.count() == len(demo.UNITS) and Booking.objects.count() == bookings
    assert "0 units created, 0 cases booked" in out.getvalue()
