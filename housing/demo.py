"""Demo housing for `manage.py seed_demo`: eight invented units, their offer periods, a block,
and bookings for the demo cases that need housing. Idempotent (existing code names are kept;
cases that already hold a booking are skipped). Addresses and hosts are invented.
"""

from __future__ import annotations

import datetime
import io

from cases.models import Case
from housing import services
from housing.models import Booking, Unit
from shelter.accounts.models import User

# code name, kind, capacity, accessibility, amenities, buffer days, invented address
UNITS = [
    ("Linden", "apartment", 2, ["lift"], ["wifi", "kitchen", "workspace"], 1,
     "Demostraat 1, 9999 XA Havenstad"),
    ("Maple", "studio", 1, ["step_free", "ground_floor"], ["wifi", "kitchen"], 1,
     "Voorbeeldplein 12, 9999 XB Havenstad"),
    ("Birch", "apartment", 3, [], ["wifi", "kitchen", "washing_machine"], 2,
     "Proefweg 7-II, 9999 XC Havenstad"),
    ("Alder", "host_family", 1, ["ground_floor"], ["wifi"], 0,
     "Fictieflaan 33, 9999 XD Havenstad"),
    ("Rowan", "guest_house", 2, ["step_free", "lift", "accessible_bathroom"],
     ["wifi", "private_bathroom"], 1, "Testkade 4, 9999 XE Havenstad"),
    ("Hazel", "studio", 1, [], ["wifi", "kitchen", "garden"], 1,
     "Nepgracht 120, 9999 XF Havenstad"),
    ("Willow", "apartment", 2, ["lift"], ["wifi", "kitchen", "workspace"], 3,
     "Verzonnenstraat 9, 9999 XG Havenstad"),
    ("Aspen", "host_family", 2, [], ["wifi", "garden"], 0, "Bedachtweg 2, 9999 XH Havenstad"),
]
# demo case code name -> unit code name (the cases demo makes these cases)
STAYS = {"Egret": "Linden", "Swift": "Maple", "Plover": "Birch", "Shrike": "Rowan",
         "Osprey": "Willow", "Curlew": "Hazel"}


def _unit(row: tuple, carla: User | None, today: datetime.date) -> Unit:
    code, kind, capacity, access, amenities, buffer, address = row
    unit = services.unit_create(
        acting_user=carla, code_name=code, kind=kind, capacity=capacity, accessibility=access,
        amenities=amenities, turnover_buffer_days=buffer, address=address,
        host_contact="Demo host, +00 000 000 000", notes="Demo unit (invented).")
    services.availability_add(unit=unit, start=today - datetime.timedelta(days=200),
                              end=today + datetime.timedelta(days=365), acting_user=carla)
    if code == "Hazel":
        services.block_add(unit=unit, start=today + datetime.timedelta(days=40),
                           end=today + datetime.timedelta(days=47), reason="maintenance",
                           acting_user=carla)
    return unit


def _book(case: Case, unit: Unit, carla: User | None) -> None:
    start = case.actual_arrival or case.planned_arrival
    end = case.actual_departure or case.planned_departure
    if start is None or end is None or end <= start:
        return
    confirmed = case.stage in (Case.Stage.IN_RESIDENCE, Case.Stage.DEPARTED)
    try:
        services.booking_create(unit=unit, case=case, start=start, end=end, acting_user=carla,
                                status="confirmed" if confirmed else "tentative")
    except services.BookingConflict:
        return  # the demo dates moved on (seeded on another day): leave this one out


def seed(stdout: io.TextIOBase) -> None:
    carla = User.objects.filter(email="carla@demo.shelter.test").first()
    today = datetime.date.today()
    made = 0
    for row in UNITS:
        if not Unit.objects.filter(code_name=row[0]).exists():
            _unit(row, carla, today)
            made += 1
    units = {unit.code_name: unit for unit in Unit.objects.filter(code_name__in=STAYS.values())}
    cases = Case.objects.filter(defender__code_name__in=STAYS).select_related("defender")
    booked = 0
    for case in cases:
        if not Booking.objects.filter(case=case).exists():
            _book(case, units[STAYS[case.defender.code_name]], carla)
            booked += 1
    stdout.write(f"Demo housing: {made} units created, {booked} cases booked.")
