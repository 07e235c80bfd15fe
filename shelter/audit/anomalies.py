"""Simple signals for auditors: bursts of case openings, night access, repeated refusals.

Thresholds come from settings (SHELTER_AUDIT_*), with defaults that suit one municipality.
Each signal looks at a bounded window (the last `SHELTER_AUDIT_ANOMALY_DAYS` days).

Cost: the page must stay fast at a million reads in the window, so every signal is linear
and the page's query count is constant.
- Bursts: one ordered pass over the window's case reads (by user, then time; streamed raw,
  times as integers) that keeps only one user's sliding window and a count per case in it.
  The cases of each burst are read back afterwards in one query, for the winning windows only.
- Night access: the window's local nights become a few UTC periods (each quarter hour
  classified once, with the zone's real offset); then a GROUP BY, and one windowed query for
  each user's first objects.
- Refusals: one GROUP BY.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import reduce
from itertools import groupby
from operator import itemgetter, or_
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import BigIntegerField, Count, F, Func, Max, Min, Q, QuerySet
from django.db.models.expressions import Window
from django.db.models.functions import Collate, DenseRank
from django.utils import timezone

from shelter.audit.actions import CASE_READ_ACTIONS, Outcome
from shelter.audit.models import AuditEvent
from shelter.audit.selectors import authorization_refusals, integrity_failures

TARGETS_SHOWN = 20
CASE_TARGET = "cases.case"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, f"SHELTER_AUDIT_{name}", default))


@dataclass
class Signal:
    kind: str
    actor_id: int | None
    count: int
    first: datetime
    last: datetime
    targets: list[str] = field(default_factory=list)
    actor_name: str = ""
    # The burst's last entry (its window ends there); used to read the window's objects back.
    last_seq: int = 0


def _since(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=_setting("ANOMALY_DAYS", 7))


def _case_reads(since: datetime | None = None):
    return AuditEvent.objects.filter(time__gte=since or _since(), action__in=[
        int(a) for a in CASE_READ_ACTIONS], outcome=Outcome.ALLOWED)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
QUARTER = 900  # seconds; every time zone's offset and its changes fall on quarter hours


class _EpochMicroseconds(Func):
    """A timestamp as whole microseconds since 1970 (exact), so the pass compares integers."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        # Stored as UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]"; the fraction is absent when zero.
        sql, params = compiler.compile(self.source_expressions[0])
        return (f"(CAST(strftime('%%s', {sql}) AS INTEGER) * 1000000"
                f" + CAST(substr({sql} || '.000000', 21, 6) AS INTEGER))", [*params, *params])

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(EXTRACT(EPOCH FROM {sql}) * 1000000 AS bigint)", list(params)


def _moment(microseconds: int) -> datetime:
    return EPOCH + timedelta(microseconds=microseconds)


def _best_window(reads: Iterable[tuple], window: int, threshold: int) -> tuple | None:
    """One user's reads (seq, actor, time, case), in time order: the sliding window with the
    most distinct cases, as (distinct, first time, last time, last seq), or None under
    `threshold`. O(1) amortised per read: the window and a count per case in it.

    A read at `moment` sees the reads of the last `window` (its own moment included, reads
    exactly `window` old too). Times are integers (microseconds since 1970).
    """
    recent: deque[tuple[int, str]] = deque()
    cases: dict[str, int] = {}
    best, most = None, threshold - 1
    for seq, _actor, moment, case_id in reads:
        recent.append((moment, case_id))
        cases[case_id] = cases.get(case_id, 0) + 1
        edge = moment - window
        while recent[0][0] < edge:
            old = recent.popleft()[1]
            left = cases[old] - 1
            if left:
                cases[old] = left
            else:
                del cases[old]
        if len(cases) > most:
            most = len(cases)
            best = (most, recent[0][0], moment, seq)
    return best


def _case_reads_in_order(since: datetime) -> Iterator[tuple[int, int | None, int, str]]:
    """(seq, actor, microseconds, case id) of the window's case reads, by user then time.

    Streamed raw, in chunks: per-row model conversions would cost more than the pass itself.
    """
    reads = (_case_reads(since).filter(target_type=CASE_TARGET)
             .order_by("actor_id", "time", "seq")
             .values_list("seq", "actor_id", _EpochMicroseconds("time"), "target_id"))
    sql, params = reads.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(5000):
            yield from rows


def case_bursts(since: datetime | None = None) -> list[Signal]:
    """Users who opened many distinct cases within a few minutes (sliding window).

    One ordered pass; memory is one user's window.
    """
    since = since or _since()
    window = _setting("BURST_MINUTES", 10) * 60 * 1_000_000
    threshold = _setting("BURST_CASES", 10)
    bursts: list[Signal] = []
    for actor_id, reads in groupby(_case_reads_in_order(since), key=itemgetter(1)):
        best = _best_window(reads, window, threshold)
        if best is not None:
            distinct, first, last, seq = best
            bursts.append(Signal("burst", actor_id, distinct, _moment(first), _moment(last),
                                 last_seq=seq))
    _fill_burst_targets(bursts, since)
    return sorted(bursts, key=lambda s: -s.count)


def _burst_window_q(signal: Signal) -> Q:
    # The window is the user's reads from `first` up to and including the entry `last_seq`.
    return (Q(actor_id=signal.actor_id) & Q(time__gte=signal.first)
            & (Q(time__lt=signal.last) | Q(time=signal.last, seq__lte=signal.last_seq)))


def _fill_burst_targets(bursts: Iterable[Signal], since: datetime) -> None:
    """The first cases (by id) of each burst's window: one query for all bursts."""
    by_actor = {s.actor_id: s for s in bursts}
    if not by_actor:
        return
    windows = reduce(or_, (_burst_window_q(s) for s in by_actor.values()))
    # Byte order, as Python sorts: PostgreSQL's default collation may order ids differently.
    by_id = Collate(F("target_id"), "C") if connection.vendor == "postgresql" else F("target_id")
    # DENSE_RANK, then DISTINCT: repeated reads of one case share a rank and collapse.
    rank = Window(DenseRank(), partition_by=[F("actor_id")], order_by=by_id.asc())
    rows = (_case_reads(since).filter(windows, target_type=CASE_TARGET).order_by()
            .annotate(rank=rank).filter(rank__lte=TARGETS_SHOWN)
            .values_list("actor_id", "target_id").distinct())
    for actor_id, target_id in rows:
        by_actor[actor_id].targets.append(target_id)
    for signal in by_actor.values():
        signal.targets.sort()


def _night_hour(hour: int) -> bool:
    start, end = _setting("NIGHT_START_HOUR", 22), _setting("NIGHT_END_HOUR", 6)
    return hour >= start or hour < end


def _night_periods(since: datetime, until: datetime) -> list[tuple[datetime, datetime]]:
    """The window's local nights as UTC periods, each quarter hour classified with the zone's
    real offset then (so daylight-saving changes and half-hour zones are exact). A day past
    `until` is covered too: another server's clock may run a little ahead."""
    base = int(since.timestamp()) // QUARTER * QUARTER
    quarters = (int((until + timedelta(days=1)).timestamp()) - base) // QUARTER
    step = timedelta(seconds=QUARTER)
    periods: list[tuple[datetime, datetime]] = []
    for i in range(quarters):
        start = datetime.fromtimestamp(base + i * QUARTER, tz=UTC)
        if not _night_hour(timezone.localtime(start).hour):
            continue
        if periods and periods[-1][1] == start:
            periods[-1] = (periods[-1][0], start + step)
        else:
            periods.append((start, start + step))
    return periods


def _first_targets(reads: QuerySet) -> dict[int | None, list[str]]:
    """Per user, the first objects read (in log order), at most TARGETS_SHOWN: one query."""
    grouped = (reads.exclude(target_id="").order_by().values("actor_id", "target_id")
               .annotate(first_seq=Min("seq")))
    sql, params = grouped.query.sql_with_params()
    # Window over the grouped rows (Django cannot put a window on an aggregate). `sql` is
    # Django's own compiled query; its values stay bound parameters.
    ranked = ("SELECT actor_id, target_id FROM (SELECT g.actor_id, g.target_id, g.first_seq, "  # noqa: S608
              "ROW_NUMBER() OVER (PARTITION BY g.actor_id ORDER BY g.first_seq) AS position "
              f"FROM ({sql}) g) ranked WHERE position <= %s ORDER BY actor_id, first_seq")
    targets: dict[int | None, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(ranked, [*params, TARGETS_SHOWN])
        for actor_id, target_id in cursor.fetchall():
            targets.setdefault(actor_id, []).append(target_id)
    return targets


def night_access(since: datetime | None = None) -> list[Signal]:
    """Reads of defender data between 22:00 and 06:00 local time, per user (two queries)."""
    now = timezone.now()
    since = since or _since(now)
    periods = _night_periods(since, now)
    if not periods:
        return []
    reads = _case_reads(since).filter(
        reduce(or_, (Q(time__gte=start, time__lt=end) for start, end in periods)))
    rows = (reads.order_by().values("actor_id")
            .annotate(n=Count("seq"), first=Min("time"), last=Max("time")))
    targets = _first_targets(reads)
    signals = [Signal("night", r["actor_id"], r["n"], r["first"], r["last"],
                      targets.get(r["actor_id"], [])) for r in rows]
    return sorted(signals, key=lambda s: -s.count)


def repeated_refusals(since: datetime | None = None) -> list[Signal]:
    """Users (or anonymous addresses' attempts, as one group) refused many times.

    Authorization refusals only: a business-rule rejection (a booking clash, a failed
    validation) is not a sign of someone looking where they should not.
    """
    threshold = _setting("REFUSAL_COUNT", 5)
    rows = (authorization_refusals(AuditEvent.objects.filter(time__gte=since or _since()))
            .values("actor_id").annotate(n=Count("seq"), first=Min("time"), last=Max("time"))
            .filter(n__gte=threshold).order_by("-n"))
    return [Signal("refusals", r["actor_id"], r["n"], r["first"], r["last"]) for r in rows]


def recent_integrity_failures(limit: int = 50) -> list[AuditEvent]:
    """The window's integrity failures (a value or document that failed authentication), newest
    first."""
    return list(integrity_failures(since=_since())[:limit])


def all_signals() -> dict[str, list[Signal]]:
    since = _since()
    return {"bursts": case_bursts(since), "night": night_access(since),
            "refusals": repeated_refusals(since)}
