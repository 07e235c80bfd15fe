"""Simple signals for auditors: bursts of case openings, night access, repeated refusals.

Thresholds come from settings (SHELTER_AUDIT_*), with defaults that suit one municipality.
Each signal looks at a bounded window (the last `SHELTER_AUDIT_ANOMALY_DAYS` days).

Cost: the page must stay fast at a million reads in the window, so every signal is linear.
Bursts and night access come from one ordered pass over the window's reads (by user, then
time, streamed raw) that keeps, per user, only a sliding window and a count per case in it;
whether a moment is night is looked up in the window's quarter hours, classified once.
Refusals are one GROUP BY. The objects of each burst are read back afterwards in one query,
for the winning windows only. The page's query count is constant.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Max, Min, Q
from django.db.models.expressions import Window
from django.db.models.functions import Collate, DenseRank
from django.utils import timezone

from shelter.audit.actions import CASE_READ_ACTIONS, Action, Outcome
from shelter.audit.models import AuditEvent
from shelter.audit.selectors import authorization_refusals

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


class _BurstWindow:
    """One user's sliding window of case reads: O(1) amortised per read.

    A read at `moment` sees the reads of the last `window` (its own moment included, reads
    exactly `window` old too); the signal keeps the window with the most distinct cases.
    """

    def __init__(self, actor_id: int | None, window: timedelta, threshold: int) -> None:
        self.actor_id, self.window, self.threshold = actor_id, window, threshold
        self.recent: deque[tuple[datetime, str]] = deque()
        self.cases: Counter[str] = Counter()
        self.best: Signal | None = None

    def add(self, seq: int, moment: datetime, target_id: str) -> None:
        self.recent.append((moment, target_id))
        self.cases[target_id] += 1
        edge = moment - self.window
        while self.recent[0][0] < edge:
            _, old = self.recent.popleft()
            self.cases[old] -= 1
            if not self.cases[old]:
                del self.cases[old]
        distinct = len(self.cases)
        if distinct >= self.threshold and (self.best is None or distinct > self.best.count):
            self.best = Signal("burst", self.actor_id, distinct, self.recent[0][0], moment,
                               last_seq=seq)


def _night_hour(hour: int) -> bool:
    start, end = _setting("NIGHT_START_HOUR", 22), _setting("NIGHT_END_HOUR", 6)
    return hour >= start or hour < end


def _night_add(signals: dict[Any, Signal], actor_id: int | None, moment: datetime,
               target_id: str) -> None:
    signal = signals.get(actor_id)
    if signal is None:
        signal = signals[actor_id] = Signal("night", actor_id, 0, moment, moment)
    signal.count, signal.last = signal.count + 1, moment
    if target_id and len(signal.targets) < TARGETS_SHOWN and target_id not in signal.targets:
        signal.targets.append(target_id)


QUARTER = 900  # seconds; every time zone's offset and its changes fall on quarter hours


class _NightClock:
    """Is a moment local night? One lookup per read: the window's quarter hours are classified
    once, each with the zone's real offset then (daylight saving included)."""

    def __init__(self, since: datetime, until: datetime) -> None:
        self.base = int(since.timestamp()) // QUARTER * QUARTER
        quarters = (int(until.timestamp()) - self.base) // QUARTER + 2
        self.night = bytes(_night_hour(timezone.localtime(
            datetime.fromtimestamp(self.base + i * QUARTER, tz=UTC)).hour)
            for i in range(quarters))

    def __call__(self, moment: datetime) -> bool:
        index = (int(moment.timestamp()) - self.base) // QUARTER
        if 0 <= index < len(self.night):
            return bool(self.night[index])
        return _night_hour(timezone.localtime(moment).hour)


def _aware(value: Any) -> datetime:
    """A raw `time` value as the driver returns it (SQLite: UTC text) as an aware datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _reads_in_order(since: datetime) -> Iterator[tuple]:
    """(seq, actor, time, target type, target id) of the window's reads, by user then time.

    Read through a raw streaming cursor: Django's per-row converters would cost more than
    the whole pass at a million rows.
    """
    reads = (_case_reads(since).order_by("actor_id", "time", "seq")
             .values_list("seq", "actor_id", "time", "target_type", "target_id"))
    sql, params = reads.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(5000):
            for seq, actor_id, moment, target_type, target_id in rows:
                yield seq, actor_id, _aware(moment), target_type, target_id


def _scan() -> tuple[list[Signal], list[Signal]]:
    """One ordered pass: (bursts, night access). Memory: one user's sliding window."""
    window = timedelta(minutes=_setting("BURST_MINUTES", 10))
    threshold = _setting("BURST_CASES", 10)
    now = timezone.now()
    since = _since(now)
    is_night = _NightClock(since, now)
    bursts: list[Signal] = []
    night: dict[Any, Signal] = {}
    current: _BurstWindow | None = None
    for seq, actor_id, moment, target_type, target_id in _reads_in_order(since):
        if current is None or actor_id != current.actor_id:
            if current is not None and current.best is not None:
                bursts.append(current.best)
            current = _BurstWindow(actor_id, window, threshold)
        if target_type == CASE_TARGET:
            current.add(seq, moment, target_id)
        if is_night(moment):
            _night_add(night, actor_id, moment, target_id)
    if current is not None and current.best is not None:
        bursts.append(current.best)
    _fill_burst_targets(bursts, since)
    return (sorted(bursts, key=lambda s: -s.count),
            sorted(night.values(), key=lambda s: -s.count))


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


def case_bursts() -> list[Signal]:
    """Users who opened many distinct cases within a few minutes (sliding window)."""
    return _scan()[0]


def night_access() -> list[Signal]:
    """Reads of defender data between 22:00 and 06:00 local time, per user."""
    return _scan()[1]


def repeated_refusals() -> list[Signal]:
    """Users (or anonymous addresses' attempts, as one group) refused many times.

    Authorization refusals only: a business-rule rejection (a booking clash, a failed
    validation) is not a sign of someone looking where they should not.
    """
    threshold = _setting("REFUSAL_COUNT", 5)
    rows = (authorization_refusals(AuditEvent.objects.filter(time__gte=_since()))
            .values("actor_id").annotate(n=Count("seq"), first=Min("time"), last=Max("time"))
            .filter(n__gte=threshold).order_by("-n"))
    return [Signal("refusals", r["actor_id"], r["n"], r["first"], r["last"]) for r in rows]


def recent_integrity_failures(limit: int = 50) -> list[AuditEvent]:
    """The window's integrity failures (a value or document that failed authentication), newest
    first."""
    return list(AuditEvent.objects.filter(time__gte=_since(), action=Action.INTEGRITY_FAILURE)
                .order_by("-seq")[:limit])


def all_signals() -> dict[str, list[Signal]]:
    bursts, night = _scan()
    return {"bursts": bursts, "night": night, "refusals": repeated_refusals()}
