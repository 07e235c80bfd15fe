"""Simple signals for auditors: bursts of case openings, night access, repeated refusals.

Thresholds come from settings (SHELTER_AUDIT_*), with defaults that suit one municipality.
Each signal looks at a bounded window (the last `SHELTER_AUDIT_ANOMALY_DAYS` days).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min
from django.utils import timezone

from shelter.audit.actions import CASE_READ_ACTIONS, Outcome
from shelter.audit.models import AuditEvent


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


def _since() -> datetime:
    return timezone.now() - timedelta(days=_setting("ANOMALY_DAYS", 7))


def _case_reads():
    return AuditEvent.objects.filter(time__gte=_since(), action__in=[int(a) for a in
                                     CASE_READ_ACTIONS], outcome=Outcome.ALLOWED)


def case_bursts() -> list[Signal]:
    """Users who opened many distinct cases within a few minutes (sliding window)."""
    window = timedelta(minutes=_setting("BURST_MINUTES", 10))
    threshold = _setting("BURST_CASES", 10)
    rows = (_case_reads().filter(target_type="cases.case").order_by("actor_id", "time")
            .values_list("actor_id", "time", "target_id"))
    signals: dict[Any, Signal] = {}
    recent: deque = deque()
    current = object()
    for actor_id, moment, target_id in rows.iterator(chunk_size=2000):
        if actor_id != current:
            current, recent = actor_id, deque()
        recent.append((moment, target_id))
        while recent and recent[0][0] < moment - window:
            recent.popleft()
        distinct = {t for _, t in recent}
        if len(distinct) >= threshold:
            best = signals.get(actor_id)
            if best is None or len(distinct) > best.count:
                signals[actor_id] = Signal("burst", actor_id, len(distinct), recent[0][0],
                                           moment, sorted(distinct)[:20])
    return sorted(signals.values(), key=lambda s: -s.count)


def night_access() -> list[Signal]:
    """Reads of defender data between 22:00 and 06:00 local time, per user."""
    start, end = _setting("NIGHT_START_HOUR", 22), _setting("NIGHT_END_HOUR", 6)
    signals: dict[Any, Signal] = {}
    rows = _case_reads().order_by("time").values_list("actor_id", "time", "target_id")
    for actor_id, moment, target_id in rows.iterator(chunk_size=2000):
        hour = timezone.localtime(moment).hour
        if not (hour >= start or hour < end):
            continue
        signal = signals.setdefault(actor_id, Signal("night", actor_id, 0, moment, moment))
        signal.count, signal.last = signal.count + 1, moment
        if target_id and target_id not in signal.targets and len(signal.targets) < 20:
            signal.targets.append(target_id)
    return sorted(signals.values(), key=lambda s: -s.count)


def repeated_refusals() -> list[Signal]:
    """Users (or anonymous addresses' attempts, as one group) refused many times."""
    threshold = _setting("REFUSAL_COUNT", 5)
    rows = (AuditEvent.objects.filter(time__gte=_since(), outcome=Outcome.REFUSED)
            .values("actor_id").annotate(n=Count("seq"), first=Min("time"), last=Max("time"))
            .filter(n__gte=threshold).order_by("-n"))
    return [Signal("refusals", r["actor_id"], r["n"], r["first"], r["last"]) for r in rows]


def all_signals() -> dict[str, list[Signal]]:
    return {"bursts": case_bursts(), "night": night_access(), "refusals": repeated_refusals()}
