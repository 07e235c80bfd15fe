"""Housing benchmarks: the double-booking check against 10,000 bookings, and the timeline.

1. Conflict check with 10,000 existing bookings (50 units × 200 stays): median time of the
   clash query and of a refused `booking_create` (lock + checks), and the query plan —
   PostgreSQL EXPLAIN ANALYZE when DATABASE_URL is PostgreSQL, else SQLite EXPLAIN QUERY PLAN
   (both should use the (unit, blocked_until, start) index).
2. The timeline page for 50 units × 3 months (~90 days): query count and median render time
   through the full middleware stack.
Runs on the configured database (bench/run.py: a throw-away SQLite file unless DATABASE_URL
is set) inside one transaction that is rolled back at the end, so nothing is left behind.
SHELTER_BENCH_HOUSING_BOOKINGS changes the number of bookings (default 10000).
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import time

UNITS = 50
BOOKINGS = int(os.environ.get("SHELTER_BENCH_HOUSING_BOOKINGS", "10000"))
ROUNDS = 200
BASE = datetime.date(2027, 1, 1)


def _median_ms(fn, rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e3


def _populate() -> tuple[list, list]:
    """50 units (through the service), offered for six years; 10,000 stays of 7 nights."""
    from cases.models import Case, Defender
    from housing import services
    from housing.models import Availability, Booking

    units = [services.unit_create(acting_user=None, code_name=f"Bench{i:02}",
                                  address=f"Benchstraat {i}", turnover_buffer_days=1)
             for i in range(UNITS)]
    Availability.objects.bulk_create([Availability(unit=u, start=BASE,
                                                   end=BASE + datetime.timedelta(days=2200))
                                      for u in units])
    defenders = Defender.objects.bulk_create([Defender(code_name=f"BenchBird{i:03}")
                                              for i in range(200)])
    cases = Case.objects.bulk_create([Case(defender=d) for d in defenders])
    per_unit = BOOKINGS // UNITS
    rows = []
    for u in units:
        for j in range(per_unit):
            start = BASE + datetime.timedelta(days=10 * j)  # 7 nights, 1 buffer, 2 free
            rows.append(Booking(unit=u, case=cases[j % len(cases)], start=start,
                                end=start + datetime.timedelta(days=7),
                                blocked_until=start + datetime.timedelta(days=8),
                                status="confirmed"))
    Booking.objects.bulk_create(rows, batch_size=1000)
    return units, cases


def _conflict_check(units: list, cases: list) -> None:
    from django.db import connection

    from housing import services
    from housing.models import Booking

    rng = random.Random(7)
    span = (BOOKINGS // UNITS) * 10

    def probe() -> tuple:
        day = BASE + datetime.timedelta(days=rng.randrange(span - 20))
        return rng.choice(units), day, day + datetime.timedelta(days=5)

    def clash_query() -> None:
        unit, start, end = probe()
        Booking.objects.filter(unit_id=unit.pk, status__in=Booking.ACTIVE,
                               start__lt=end + datetime.timedelta(days=1),
                               blocked_until__gt=start).order_by("start").first()

    def refused_create() -> None:
        unit, start, end = probe()
        try:
            services.booking_create(unit=unit, case=cases[0], start=start, end=end,
                                    acting_user=None)
        except services.BookingConflict:
            pass

    total = Booking.objects.count()
    print(f"conflict check with {total} bookings ({UNITS} units): clash query median "
          f"{_median_ms(clash_query):.3f} ms; refused booking_create (lock + checks) median "
          f"{_median_ms(refused_create):.3f} ms")
    unit, start, end = units[17], BASE + datetime.timedelta(days=500), \
        BASE + datetime.timedelta(days=505)
    query = Booking.objects.filter(unit_id=unit.pk, status__in=Booking.ACTIVE,
                                   start__lt=end, blocked_until__gt=start).order_by("start")
    options = {"analyze": True} if connection.vendor == "postgresql" else {}
    print(f"query plan ({connection.vendor}):")
    print("  " + query[:1].explain(**options).replace("\n", "\n  "))


def _timeline(units: list) -> None:
    from shelter.accounts.models import Organisation
    from shelter.accounts.roles import Role
    from tests.factories import count_queries, make_user, verified_client

    org = Organisation.objects.create(name="Bench gemeente", kind="municipality")
    client = verified_client(make_user("bench-carla@example.org", Role.COORDINATOR, org))
    url = f"/housing/?month={BASE + datetime.timedelta(days=400):%Y-%m}&months=3"
    responses: list = []
    queries = count_queries(lambda: responses.append(client.get(url)))
    response = responses[0]
    assert response.status_code == 200, response.status_code
    cells = response.content.count(b"<td")
    median = _median_ms(lambda: client.get(url), 15)
    print(f"timeline {UNITS} units x ~90 days: {queries} queries per request "
          f"(incl. session, user, 2FA and audit), {cells} cells, median {median:.1f} ms per "
          "request through the middleware")


def main() -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        units, cases = _populate()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        _conflict_check(units, cases)
        _timeline(units)
        transaction.set_rollback(True)
