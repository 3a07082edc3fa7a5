"""The in-memory side of report intake: one ring detector per store, fed in time order, rebuilt at start.

:class:`khien.reports.rings.RingDetector` keeps its state in memory. A :class:`ReportDesk` holds it
with a lock (observing and draining :meth:`~khien.reports.rings.RingDetector.relabelled` are one
step, so re-labels reach the request that caused them) and rebuilds it on first use from the stored
reports of the detector's memory: at most ``ReportRules.rebuild_reports`` reports received in the
last ``RingConfig.memory_s`` (14 days), oldest first. Replayed reports carry the reporter's age at
the time of each report (from the account creation time stored on the reporter's row) and the
reporter's current track record; their verdicts are discarded, since the stored labels stand.

Several server processes each hold a desk. Each request first catches its desk up with the reports
the other processes stored since (by id: every id above the highest one seen, and the ids skipped
below it, which may belong to a transaction that had not committed yet; a skipped id is looked for
during ``HOLE_S`` seconds). So a ring whose reports are spread over the processes is judged on all of
them by the process that takes its next report; a caught-up report's own verdict stays as stored.

The detector sees a report before its transaction commits. A request that then fails leaves its
reports in the detector's memory (they only make later verdicts slightly more suspicious, and a
re-label of a report that was never stored updates nothing); restarting the server forgets them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ..enums import ReportSource
from ..store import Tx
from ..store import reports as rows
from ..store.records_reports import Report, ReporterRecord
from .rings import ReportEvent, RingConfig, RingDetector, RingVerdict

__all__ = ["ReportDesk", "event_of", "target_of", "HOLE_S"]

HOLE_S = 120.0  # how long an id skipped in the sequence may still turn up (a transaction not committed yet)
MAX_HOLES = 100_000  # a larger jump in ids (a sequence moved by hand) is not tracked id by id


def target_of(kind: str, platform: str, subject_id: str) -> str:
    return f"{kind}:{platform}:{subject_id}"


def event_of(report: Report | None, *, report_id: int, reporter: str, target: str, category: str, ts: float,
             statement: str, record: ReporterRecord | None, age_s: float | None) -> ReportEvent:
    return ReportEvent(report_id=report_id, reporter=reporter, target=target, category=category, ts=ts,
                       reporter_age_s=age_s, upheld=record.upheld if record else 0,
                       rejected=record.rejected if record else 0, statement=statement)


@dataclass
class Observed:
    verdicts: list[RingVerdict]
    relabelled: list[RingVerdict]
    new_rings: dict[str, str]  # ring id -> the target where it was first seen by this process


class ReportDesk:
    """A ring detector and its lock; :meth:`observe` judges a batch of reports in order."""

    def __init__(self, config: RingConfig | None = None, *, rebuild_reports: int = 200_000) -> None:
        self.config = config or RingConfig()
        self.detector = RingDetector(self.config)
        self.rebuild_reports = rebuild_reports
        self.lock = threading.Lock()
        self.loaded = False
        self.known_rings: set[str] = set()
        self.seen_to = 0  # every report id up to here was observed, or is a hole
        self.holes: dict[int, float] = {}  # report ids skipped below seen_to -> when first missed

    def load(self, tx: Tx, now: float) -> int:
        """Replay stored reports into a fresh detector once; later calls catch up with the reports
        other processes stored since. Returns how many were replayed."""
        with self.lock:
            if not self.loaded:
                found = rows.recent_reports(tx, since_ts=now - self.config.memory_s, limit=self.rebuild_reports) \
                    if self.rebuild_reports else []
                self.seen_to = rows.last_report_id(tx)  # an older report beyond the bound is not replayed
            else:
                self._expire(now)
                found = rows.reports_after(tx, self.seen_to, sorted(self.holes), limit=self.rebuild_reports)
            self._replay(tx, found, now)
            if not self.loaded:
                self.known_rings.update(ring.ring_id for ring in self.detector.rings())
                self.loaded = True
            return len(found)

    def _replay(self, tx: Tx, found: list[Report], now: float) -> None:
        if not found:
            return
        records = rows.reporter_records(tx, [(r.platform, r.reporter_id) for r in found
                                             if r.source == ReportSource.USER and r.reporter_id])
        for r in found:
            rec = records.get((r.platform, r.reporter_id or ""))
            created = rec.account_created_ts if rec is not None else None
            verdict = self.detector.observe(event_of(
                r, report_id=r.id, reporter=r.reporter_key, target=target_of(r.subject_kind, r.platform,
                                                                             r.subject_id),
                category=r.category, ts=r.created_ts, statement=r.statement, record=rec,
                age_s=max(0.0, r.created_ts - created) if created is not None else None))
            if verdict.ring:
                self.known_rings.add(verdict.ring)
        self.detector.relabelled()  # the stored labels stand
        self._seen([r.id for r in found], now)

    def _seen(self, ids: list[int], now: float) -> None:
        """Ids observed: those above ``seen_to`` move it up, leaving the ids jumped over as holes."""
        for i in sorted(ids):
            if i > self.seen_to:
                if i - self.seen_to - 1 <= MAX_HOLES:
                    for skipped in range(self.seen_to + 1, i):
                        self.holes[skipped] = now
                self.seen_to = i
            else:
                self.holes.pop(i, None)

    def _expire(self, now: float) -> None:
        if self.holes:
            self.holes = {i: t for i, t in self.holes.items() if now - t < HOLE_S}

    def observe(self, events: list[ReportEvent]) -> Observed:
        """Judge ``events`` in order; re-labels of earlier reports are drained after each one."""
        verdicts: list[RingVerdict] = []
        relabelled: list[RingVerdict] = []
        new_rings: dict[str, str] = {}
        with self.lock:
            for event in events:
                verdict = self.detector.observe(event)
                verdicts.append(verdict)
                more = self.detector.relabelled()
                relabelled.extend(more)
                for v in (verdict, *more):
                    if v.ring and v.ring not in self.known_rings:
                        self.known_rings.add(v.ring)
                        new_rings[v.ring] = event.target
            if events:
                self._seen([e.report_id for e in events], events[-1].ts)
        return Observed(verdicts, relabelled, new_rings)
