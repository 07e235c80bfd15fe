"""The signals page scales: bursts and night access in one linear pass, the same answers as the
old quadratic sliding window (a tiny reference copy below), and a query count and an amount of
work that do not depend on the size of the window."""

from __future__ import annotations

import random
import sys
from collections import deque
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shelter.audit import Action, Outcome, anomalies
from shelter.audit.chain import GENESIS_HASH, entry_hash
from shelter.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

READS = [Action.CASE_VIEW_SECTION, Action.DOCUMENT_DOWNLOAD, Action.CASE_EXPORT,
         Action.BOOKING_VIEW]
OTHER = [Action.CASE_LIST, Action.CASE_UPDATE, Action.SIGN_IN]


def _append(rows: list[tuple[int | None, datetime, int, str, str, str]]) -> None:
    """Append entries (actor, time, action, target type, target id, outcome), chained."""
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev = head if head else (0, GENESIS_HASH)
    batch = []
    for actor_id, moment, action, target_type, target_id, outcome in rows:
        seq += 1
        fields = {"seq": seq, "time": moment, "actor_id": actor_id, "actor_role": "",
                  "organisation_id": None, "action": int(action), "target_type": target_type,
                  "target_id": target_id, "section": "", "outcome": outcome, "request_id": "",
                  "ip_address": "", "user_agent": "", "facts": {}, "prev_hash": prev}
        fields["hash"] = prev = entry_hash(fields)
        batch.append(AuditEvent(**fields))
    AuditEvent.objects.bulk_create(batch)


# --- the old implementation, kept as the reference for the semantics -----------------------
def reference_bursts(rows, window: timedelta, threshold: int) -> dict:
    """rows: (seq, actor, time, target) of allowed case reads, sorted by actor, time, seq."""
    signals: dict = {}
    recent: deque = deque()
    current = object()
    for _seq, actor_id, moment, target_id in rows:
        if actor_id != current:
            current, recent = actor_id, deque()
        recent.append((moment, target_id))
        while recent and recent[0][0] < moment - window:
            recent.popleft()
        distinct = {t for _, t in recent}
        if len(distinct) >= threshold:
            best = signals.get(actor_id)
            if best is None or len(distinct) > best[0]:
                signals[actor_id] = (len(distinct), recent[0][0], moment, sorted(distinct)[:20])
    return signals


def reference_night(rows, start: int, end: int) -> dict:
    """rows: (seq, actor, time, target) of allowed reads, sorted by time."""
    signals: dict = {}
    for _seq, actor_id, moment, target_id in rows:
        hour = timezone.localtime(moment).hour
        if not (hour >= start or hour < end):
            continue
        count, first, _last, targets = signals.get(actor_id, (0, moment, moment, []))
        if target_id and target_id not in targets and len(targets) < 20:
            targets = [*targets, target_id]
        signals[actor_id] = (count + 1, first, moment, targets)
    return signals


def _reads(case_only: bool, order: tuple[str, ...]):
    reads = AuditEvent.objects.filter(
        time__gte=anomalies._since(), action__in=[int(a) for a in anomalies.CASE_READ_ACTIONS],
        outcome=Outcome.ALLOWED)
    if case_only:
        reads = reads.filter(target_type="cases.case")
    return list(reads.order_by(*order).values_list("seq", "actor_id", "time", "target_id"))


def _as_dict(signals) -> dict:
    return {s.actor_id: (s.count, s.first, s.last, s.targets) for s in signals}


def _random_log(rng: random.Random, now: datetime, n: int) -> None:
    moment = now - timedelta(days=7, hours=12)  # the first entries fall outside the window
    rows = []
    for _ in range(n):
        moment += timedelta(seconds=rng.choice([0, 1, 5, 20, 45, 90] * 4 + [300, 1800, 18000]))
        if moment > now:
            break
        actor = rng.choice([1, 2, 3, 4, None])
        action = rng.choice(READS * 3 + OTHER)
        target_type = rng.choice(["cases.case"] * 4 + ["cases.document", "housing.schedule"])
        target_id = "" if target_type == "housing.schedule" else f"c-{rng.randrange(14):02d}"
        outcome = rng.choice([Outcome.ALLOWED] * 6 + [Outcome.REFUSED, Outcome.REJECTED])
        rows.append((actor, moment, action, target_type, target_id, outcome))
    _append(rows)


@pytest.mark.parametrize("seed", range(6))
def test_the_linear_pass_gives_the_old_signals_on_random_logs(seed, settings, monkeypatch):
    rng = random.Random(seed)
    settings.SHELTER_AUDIT_BURST_CASES = rng.choice([2, 3, 4])
    settings.SHELTER_AUDIT_BURST_MINUTES = rng.choice([2, 5, 10])
    now = timezone.now()
    _random_log(rng, now, 600)
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)
    window = timedelta(minutes=settings.SHELTER_AUDIT_BURST_MINUTES)
    expected_bursts = reference_bursts(_reads(True, ("actor_id", "time", "seq")), window,
                                       settings.SHELTER_AUDIT_BURST_CASES)
    expected_night = reference_night(_reads(False, ("time", "seq")), 22, 6)
    signals = anomalies.all_signals()
    assert expected_bursts and expected_night, "the random log should exercise both signals"
    assert _as_dict(signals["bursts"]) == expected_bursts
    assert _as_dict(signals["night"]) == expected_night
    assert [s.count for s in signals["bursts"]] == sorted(
        (c for c, *_ in expected_bursts.values()), reverse=True)


NIGHTS = [("Europe/Amsterdam", datetime(2026, 3, 31, 12, tzinfo=UTC)),   # after spring DST
          ("Europe/Amsterdam", datetime(2026, 10, 28, 3, tzinfo=UTC)),   # after autumn DST
          ("America/St_Johns", datetime(2026, 11, 3, 9, 40, tzinfo=UTC)),  # -3:30, DST ended
          ("Asia/Kathmandu", datetime(2026, 6, 1, 20, 5, tzinfo=UTC))]     # +5:45


@pytest.mark.parametrize("zone, now", NIGHTS, ids=[f"{z}-{n:%m-%d}" for z, n in NIGHTS])
def test_night_is_local_night_across_clock_changes_and_odd_offsets(zone, now, settings,
                                                                   monkeypatch):
    settings.TIME_ZONE = zone
    rng = random.Random(zone)
    _random_log(rng, now, 900)
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)
    expected = reference_night(_reads(False, ("time", "seq")), 22, 6)
    assert expected
    assert _as_dict(anomalies.night_access()) == expected


def test_a_realistic_burst_pattern(settings):
    """Olaf opens 25 cases in 6 minutes (some twice); Otto 25 cases over a day; Olaf's reads
    of other kinds and refused reads do not count."""
    settings.SHELTER_AUDIT_BURST_CASES, settings.SHELTER_AUDIT_BURST_MINUTES = 10, 10
    start = timezone.now() - timedelta(hours=30)
    olaf, otto = 101, 102
    rows = []
    for i in range(25):
        rows.append((otto, start + timedelta(hours=i), Action.CASE_VIEW_SECTION, "cases.case",
                     f"case-{i:02d}", Outcome.ALLOWED))
    burst = start + timedelta(hours=2, minutes=3)
    for i in range(25):
        moment = burst + timedelta(seconds=15 * i)
        rows.append((olaf, moment, Action.CASE_VIEW_SECTION, "cases.case", f"case-{i:02d}",
                     Outcome.ALLOWED))
        rows.append((olaf, moment, Action.CASE_VIEW_SECTION, "cases.case", f"case-{i // 2:02d}",
                     Outcome.ALLOWED))
        rows.append((olaf, moment, Action.REFUSED, "cases.case", f"other-{i}", Outcome.REFUSED))
        rows.append((olaf, moment, Action.CASE_LIST, "", "", Outcome.ALLOWED))
    rows.sort(key=lambda r: r[1])
    _append(rows)
    [signal] = anomalies.case_bursts()
    assert (signal.actor_id, signal.count) == (olaf, 25)
    assert (signal.first, signal.last) == (burst, burst + timedelta(seconds=15 * 24))
    assert signal.targets == [f"case-{i:02d}" for i in range(20)]
    assert _as_dict([signal]) == reference_bursts(
        _reads(True, ("actor_id", "time", "seq")), timedelta(minutes=10), 10)


def _burst_log(n: int) -> None:
    """One user opening `n` distinct cases within a minute: the old code's worst case."""
    start = timezone.now() - timedelta(hours=1)
    _append([(7, start + timedelta(milliseconds=50 * i), Action.CASE_VIEW_SECTION,
              "cases.case", f"case-{i:05d}", Outcome.ALLOWED) for i in range(n)])


def _traced_lines(call) -> int:
    """Python lines run inside shelter/audit/anomalies.py during `call()`: a measure of work
    that does not depend on the machine's speed or load."""
    lines = 0
    module = anomalies.__file__

    def tracer(frame, event, _arg):
        nonlocal lines
        if frame.f_code.co_filename != module:
            return None
        if event == "line":
            lines += 1
        return tracer

    sys.settrace(tracer)
    try:
        call()
    finally:
        sys.settrace(None)
    return lines


def test_work_and_queries_grow_linearly_with_the_window(settings):
    settings.SHELTER_AUDIT_BURST_CASES = 10
    _burst_log(400)
    with CaptureQueriesContext(connection) as small_queries:
        anomalies.all_signals()
    small = _traced_lines(anomalies.all_signals)
    _burst_log(1200)  # the same user again, an hour later: a window three times as full
    with CaptureQueriesContext(connection) as large_queries:
        signals = anomalies.all_signals()
    large = _traced_lines(anomalies.all_signals)
    assert signals["bursts"][0].count == 1200
    assert len(large_queries) == len(small_queries) <= 5
    # 4 times the reads: linear work is about 4 times as much; the old window was about 16.
    assert large < 5 * small, (small, large)
