"""Detecting coordinated mass reporting ("report rings") from reporting behaviour alone.

**The line Khiên does not cross.** This detector looks only at reporting *behaviour*: who reports
what, when, together with whom, with what track record and account age, and how alike their
statements are in shape. It never reads what the reported person says, and it never profiles
anyone for their opinions: a report on an activist and a report on a scam page are the same kind
of event to it. Its verdicts mark reports so they do not raise a case's priority; they decide
nothing about the reported person.

**Signals, and why they are combined.** A burst of many distinct reporters on one target is what a
ring looks like, but it is also what honest reporting of a viral scam looks like. What separates
them is everything around the burst, measured as shares of the distinct reporters in the target's
sliding window (``RingConfig.window_s``):

- ``co-reporters``: the reporter has reported *other* targets together (within ``co_link_s`` of
  each other) with reporters in this window before, and those shared targets are a good part
  (``co_min_share``) of the busier one's reporting (the decayed co-report graph,
  :mod:`khien.reports.graph`). Rings attack many targets with largely the same members; honest
  strangers rarely meet twice, and busy honest reporters, who meet many, share little of what they
  report with any one of them. This is the strongest signal and, once a ring is known, makes a
  small burst enough (``min_linked``), so a ring is recognised sooner on each new target.
- ``new-accounts``: accounts younger than ``new_account_s``.
- ``poor-record``: most of the reporter's past reports were rejected.
- ``same-statement``: the statement, folded, equals another reporter's in the window
  (:mod:`khien.reports.statements`).

A window is a ring attack when it is a burst (``min_reporters`` distinct reporters, or
``min_linked`` of them with co-report history), the weighted sum of those shares reaches
``threshold``, and at least ``min_coordination`` of its reporters show coordination (co-report
history or a shared statement): new accounts and poor records describe who reports, not
coordination, and a busy target collects a handful of them by chance. The attack lasts while the
score stays above ``threshold * keep_ratio``. In a window judged a ring, a report is marked when its
reporter carries at least one of the signals (or is already a known member of the ring): an
honest old account with a clean record and its own words that happens to report the same target
is not marked.

Known limit, by design: a careful ring (aged accounts, clean records, own words) that attacks only
once looks like honest reporting of a viral scam; only its next attack gives it away.

**Re-labelling.** The first reports of a burst come before the burst is recognisable, and a careful
ring (aged accounts, varied statements) may only be recognisable on its second target, by its
co-report history. So earlier reports can be re-labelled: reports of the current window when it is
recognised, and reports a member made in earlier bursts together with at least ``relabel_min``
other members of the same ring. :meth:`RingDetector.relabelled` drains them.

**Bounded.** Windows of targets with no report for ``window_s``, co-report edges, suspect reports
and rings untouched for ``memory_s`` are forgotten; edges are also capped at ``max_pairs``. Each
report costs O(``max_links``) plus amortised O(1) sweeping, never a scan of history.
Events must arrive in time order; a late one is treated as arriving at the latest time seen.
Trusted flaggers (reporter ``flagger:<id>``) are never ring members and are not counted.
"""

from __future__ import annotations

from collections import Counter, OrderedDict, deque
from dataclasses import dataclass, field

from .graph import CoReportGraph
from .statements import statement_key
from .windows import TargetWindow, WindowEntry

__all__ = ["ReportEvent", "RingVerdict", "RingConfig", "Ring", "RingDetector", "StateSizes"]

DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class ReportEvent:
    """One report as the detector sees it: behaviour, never the reported content."""

    report_id: int
    reporter: str  # "platform:user-id" or "flagger:<id>" (trusted flaggers are never ring members)
    target: str  # "item:<platform>:<id>" or "account:<platform>:<author-id>"
    category: str
    ts: float  # epoch seconds
    reporter_age_s: float | None = None  # how old the reporting account is, when the platform says
    upheld: int = 0  # the reporter's past reports that were upheld / rejected (track record)
    rejected: int = 0
    statement: str = ""  # free text: near-identical statements are a coordination signal


@dataclass(frozen=True, slots=True)
class RingVerdict:
    """The judgement of one report. ``ring`` is set exactly when ``suspicious`` is true."""

    report_id: int
    suspicious: bool
    ring: str | None
    score: float  # the window's weighted share of signals (see RingConfig.threshold)
    reasons: tuple[str, ...]  # "burst", "co-reporters", "new-accounts", "poor-record", "same-statement"


@dataclass(frozen=True, slots=True)
class RingConfig:
    """Tunables of :class:`RingDetector`. Defaults were tuned on bench seeds 1-3 (bench/rings.py)."""

    window_s: float = 3600.0  # reports on one target within this span form its window
    min_reporters: int = 8  # distinct reporters in a window that make a burst
    min_linked: int = 4  # ... or this many reporters with co-report history between them
    memory_s: float = 14 * DAY  # co-report edges, suspects and rings are forgotten after this
    half_life_s: float = 7 * DAY  # co-report edge weight halves over this span
    co_min_history: float = 0.5  # decayed shared targets that make two reporters "co-reporters" ...
    co_min_share: float = 0.4  # ... when they are this share of the busier reporter's activity
    co_link_s: float = 300.0  # two reports on one target this close in time are a co-report
    max_links: int = 32  # a new reporter is compared with at most this many recent ones in window
    max_pairs: int = 400_000  # hard cap on co-report edges (least recently touched go first)
    new_account_s: float = 30 * DAY  # younger accounts are "new"
    poor_min_reports: int = 3  # a track record needs this many decided reports ...
    poor_reject_share: float = 0.6  # ... and this share rejected to be "poor"
    w_co: float = 1.0  # weights of the shares in the window score
    w_same: float = 0.8
    w_new: float = 0.6
    w_poor: float = 0.6
    threshold: float = 0.6  # a burst whose score reaches this is a ring attack ...
    min_coordination: float = 0.3  # ... if this share of its reporters co-reported before or pasted
    keep_ratio: float = 0.75  # ... that lasts while the score stays above threshold * keep_ratio
    relabel_min: int = 4  # members of a ring in one earlier burst that re-label their reports there
    suspects_per_reporter: int = 8  # earlier burst reports kept per reporter for re-labelling
    max_relabelled: int = 100_000  # undrained re-labels kept (the oldest are dropped beyond this)
    trusted_prefix: str = "flagger:"


@dataclass(frozen=True, slots=True)
class Ring:
    """A detected ring: its members and the targets it attacked, as seen so far."""

    ring_id: str
    members: frozenset[str]
    targets: tuple[str, ...]
    first_ts: float
    last_ts: float
    reports: int


@dataclass(frozen=True, slots=True)
class StateSizes:
    """How much the detector holds: each is bounded by the config (see the module docstring)."""

    windows: int  # targets reported within window_s
    window_entries: int
    pairs: int  # co-report edges, at most max_pairs
    pairs_evicted: int  # edges dropped by the cap rather than by age (0 when max_pairs is ample)
    reporters: int  # reporters whose activity is remembered (reported within memory_s)
    suspect_reporters: int
    flagged_remembered: int  # ids of marked reports kept so a report is marked once
    rings: int  # rings active within memory_s
    ring_members: int
    relabelled_pending: int  # not yet drained by relabelled(), at most max_relabelled


@dataclass(slots=True)
class _RingState:
    ring_id: str
    first_ts: float
    last_ts: float
    members: set = field(default_factory=set)
    targets: dict = field(default_factory=dict)  # insertion-ordered set
    reports: int = 0
    candidates: dict = field(default_factory=dict)  # target -> {member: [suspects]} not yet re-labelled
    relabelled_targets: set = field(default_factory=set)


class RingDetector:
    """Online detector of report rings. Pure: no clock, no I/O; time is the events' ``ts``.

    Feed every report in time order to :meth:`observe`; after each call (or in batches), drain
    :meth:`relabelled` for earlier reports now judged part of a ring. Not thread-safe: one detector
    per stream (the store serialises reports of one platform).
    """

    def __init__(self, config: RingConfig = RingConfig()) -> None:
        self.config = config
        self._now = float("-inf")
        self._windows: OrderedDict[str, TargetWindow] = OrderedDict()  # least recently reported first
        self._graph = CoReportGraph(
            half_life_s=config.half_life_s, memory_s=config.memory_s, max_pairs=config.max_pairs
        )
        # reporter -> their last reports in unrecognised bursts, as (ts, report id, target): tuples
        # of atoms, replaced rather than mutated, which the garbage collector stops tracking (tens
        # of thousands of objects it would otherwise walk at every full collection)
        self._suspects: OrderedDict[str, tuple[tuple[float, int, str], ...]] = OrderedDict()
        self._flagged: set[int] = set()  # report ids judged part of a ring within memory_s ...
        self._flagged_log: deque[tuple[float, int]] = deque()  # ... and when, to forget them
        self._rings: OrderedDict[str, _RingState] = OrderedDict()
        self._member_ring: dict[str, str] = {}
        self._relabelled: deque[RingVerdict] = deque(maxlen=config.max_relabelled)

    # -- public ------------------------------------------------------------------------------

    def observe(self, event: ReportEvent) -> RingVerdict:
        """Judge one report, update the state, queue re-labels of earlier reports."""
        cfg = self.config
        now = self._now = max(self._now, event.ts)
        self._forget(now)
        if event.reporter.startswith(cfg.trusted_prefix):
            return RingVerdict(event.report_id, False, None, 0.0, ())
        # One string object per remembered reporter however many reports name it (the window, the
        # graph's edges and the suspects all hold it). Not sys.intern: interned strings are
        # immortal on Python 3.12, and state must stay bounded.
        reporter, target = self._graph.name(event.reporter), event.target
        window = self._window(target, now)
        entry = WindowEntry(now, event.report_id, reporter, target)
        self._add(window, entry, event, now)
        score = self._score(window)
        burst = self._burst(window)
        if window.ring is not None and not (burst and score >= cfg.threshold * cfg.keep_ratio):
            window.ring = None  # the attack is over (a busy target's window may never empty)
        if window.ring is None and burst and score >= cfg.threshold and self._coordinated(window):
            self._recognise(window, target, now, score)  # marks this entry too
        elif window.ring is not None and self._member(window, reporter):
            self._flag(window, entry, score, relabel=False)
        if burst and window.ring is None:
            self._mark_suspects(window)
        if entry.flagged:
            return RingVerdict(event.report_id, True, window.ring, score, self._reasons(window, reporter))
        return RingVerdict(event.report_id, False, None, score, ())

    def relabelled(self) -> list[RingVerdict]:
        """Drain the earlier reports judged part of a ring since the last call (oldest first)."""
        out = list(self._relabelled)
        self._relabelled.clear()
        return out

    def rings(self) -> list[Ring]:
        """The rings detected and still remembered (active within ``memory_s``), oldest first."""
        return [
            Ring(r.ring_id, frozenset(r.members), tuple(r.targets), r.first_ts, r.last_ts, r.reports)
            for r in self._rings.values()
        ]

    def sizes(self) -> StateSizes:
        """Sizes of the kept structures, to check that state stays bounded."""
        return StateSizes(
            windows=len(self._windows),
            window_entries=sum(len(w.entries) for w in self._windows.values()),
            pairs=len(self._graph),
            pairs_evicted=self._graph.evicted,
            reporters=self._graph.reporters,
            suspect_reporters=len(self._suspects),
            flagged_remembered=len(self._flagged),
            rings=len(self._rings),
            ring_members=len(self._member_ring),
            relabelled_pending=len(self._relabelled),
        )

    # -- windows -----------------------------------------------------------------------------

    def _window(self, target: str, now: float) -> TargetWindow:
        window = self._windows.get(target)
        if window is None:
            window = self._windows[target] = TargetWindow()
        else:
            self._windows.move_to_end(target)
            window.expire(now - self.config.window_s)
        window.last_ts = now
        return window

    def _add(self, window: TargetWindow, entry: WindowEntry, event: ReportEvent, now: float) -> None:
        """Count the report in its window; link its reporter to earlier co-reporters there."""
        cfg, reporter, target = self.config, entry.reporter, entry.target
        new = event.reporter_age_s is not None and event.reporter_age_s < cfg.new_account_s
        decided = event.upheld + event.rejected
        poor = decided >= cfg.poor_min_reports and event.rejected >= cfg.poor_reject_share * decided
        if not window.add(entry, new, poor, statement_key(event.statement)):
            return  # a repeat report by one reporter adds no reporter-level signal
        graph = self._graph
        # Co-reports are reports close in time (``co_link_s``): a ring reports within minutes, and
        # linking everyone in a busy hour would fill the graph with strangers.
        cutoff, compared = now - cfg.co_link_s, {reporter}
        for earlier in reversed(window.entries):
            if earlier.ts < cutoff or len(compared) > cfg.max_links:
                break
            other = earlier.reporter
            if other in compared:
                continue
            compared.add(other)
            shared, share = graph.share(reporter, other, target, now)
            if shared >= cfg.co_min_history and share >= cfg.co_min_share:
                window.link(reporter, other)
            graph.touch(reporter, other, target, now)
        graph.note(reporter, now)

    def _burst(self, window: TargetWindow) -> bool:
        cfg = self.config
        return window.reporters >= cfg.min_reporters or window.n_linked >= cfg.min_linked

    def _score(self, window: TargetWindow) -> float:
        cfg = self.config
        n = window.reporters
        raw = cfg.w_co * window.n_linked + cfg.w_same * window.n_dup + cfg.w_new * window.n_new
        return round((raw + cfg.w_poor * window.n_poor) / n, 4)

    def _coordinated(self, window: TargetWindow) -> bool:
        """Whether enough of the window shows coordination, not just who the reporters are.

        New accounts and poor records describe the reporters; by chance a handful of them can
        report one busy target within the hour. A ring is coordination: shared history or a shared
        statement. (The larger of the two counts stands in for their union: cheap, and never more.)
        """
        coordinated = max(window.n_linked, window.n_dup)
        return coordinated >= self.config.min_coordination * window.reporters

    def _member(self, window: TargetWindow, reporter: str) -> bool:
        """Whether a reporter in a ring window carries a ring signal of its own."""
        new, poor, _ = window.props[reporter]
        ring = self._rings.get(window.ring) if window.ring else None
        return bool(
            new
            or poor
            or window.partners[reporter]
            or window.shares_statement(reporter)
            or (ring is not None and reporter in ring.members)
        )

    def _reasons(self, window: TargetWindow, reporter: str) -> tuple[str, ...]:
        new, poor, _ = window.props[reporter]
        reasons = ["burst"]
        if window.partners[reporter]:
            reasons.append("co-reporters")
        if new:
            reasons.append("new-accounts")
        if poor:
            reasons.append("poor-record")
        if window.shares_statement(reporter):
            reasons.append("same-statement")
        return tuple(reasons)

    # -- rings and re-labelling ----------------------------------------------------------------

    def _recognise(self, window: TargetWindow, target: str, now: float, score: float) -> None:
        """A window just became a ring attack: name the ring, flag its members' reports."""
        votes = Counter(self._member_ring[r] for r in window.count if r in self._member_ring)
        ring_id = None
        if votes:
            best, n = votes.most_common(1)[0]
            if n >= 2 and best in self._rings:  # known members are back: the same ring
                ring_id = best
        if ring_id is None:
            ring_id = f"ring:{target}:{int(window.entries[0].ts)}"
            if ring_id not in self._rings:
                self._rings[ring_id] = _RingState(ring_id, window.entries[0].ts, now)
        window.ring = ring_id
        last = window.entries[-1]
        for entry in window.entries:
            if entry.report_id not in self._flagged and self._member(window, entry.reporter):
                self._flag(window, entry, score, relabel=entry is not last)

    def _flag(self, window: TargetWindow, entry: WindowEntry, score: float, *, relabel: bool) -> None:
        ring = self._rings[window.ring]
        self._rings.move_to_end(ring.ring_id)
        entry.flagged = True
        self._remember_flagged(entry.ts, entry.report_id)
        ring.last_ts = max(ring.last_ts, entry.ts)
        ring.reports += 1
        ring.targets[entry.target] = None
        if relabel:
            reasons = self._reasons(window, entry.reporter)
            self._relabelled.append(RingVerdict(entry.report_id, True, ring.ring_id, score, reasons))
        reporter = entry.reporter
        if reporter not in ring.members:
            ring.members.add(reporter)
            self._member_ring[reporter] = ring.ring_id
            self._claim_suspects(ring, reporter, score)

    def _mark_suspects(self, window: TargetWindow) -> None:
        """Keep the burst's unflagged reports per reporter, for a ring recognised later."""
        cfg = self.config
        for entry in reversed(window.entries):
            if entry.suspect:
                break  # older entries were marked when this burst was first seen
            entry.suspect = True
            suspect = (entry.ts, entry.report_id, entry.target)
            queue = self._suspects.get(entry.reporter)
            if queue is None:
                self._suspects[entry.reporter] = (suspect,)
                continue
            self._suspects[entry.reporter] = (*queue[1 - cfg.suspects_per_reporter:], suspect)
            self._suspects.move_to_end(entry.reporter)

    def _claim_suspects(self, ring: _RingState, member: str, score: float) -> None:
        """A new member's earlier burst reports join the ring once enough members share a burst."""
        queue = self._suspects.get(member)
        if not queue:
            return
        cutoff = self._now - self.config.memory_s
        for suspect in queue:
            ts, report_id, target = suspect
            if report_id in self._flagged or ts < cutoff:
                continue
            if target in ring.relabelled_targets:
                self._relabel(ring, suspect, score)
                continue
            members = ring.candidates.setdefault(target, {})
            members.setdefault(member, []).append(suspect)
            if len(members) >= self.config.relabel_min:
                ring.relabelled_targets.add(target)
                for suspects in ring.candidates.pop(target).values():
                    for old in suspects:
                        if old[1] not in self._flagged:
                            self._relabel(ring, old, score)

    def _relabel(self, ring: _RingState, suspect: tuple[float, int, str], score: float) -> None:
        ts, report_id, target = suspect
        self._remember_flagged(ts, report_id)
        ring.reports += 1
        ring.targets[target] = None
        self._relabelled.append(RingVerdict(report_id, True, ring.ring_id, score, ("co-reporters",)))

    def _remember_flagged(self, ts: float, report_id: int) -> None:
        self._flagged.add(report_id)
        self._flagged_log.append((ts, report_id))

    # -- forgetting --------------------------------------------------------------------------

    def _forget(self, now: float) -> None:
        cfg = self.config
        cutoff = now - cfg.window_s
        windows = self._windows
        while windows:
            target, window = next(iter(windows.items()))
            if window.last_ts >= cutoff:
                break
            del windows[target]
        memory = now - cfg.memory_s
        self._graph.forget_before(memory)
        suspects = self._suspects
        while suspects:
            reporter, queue = next(iter(suspects.items()))
            if queue and queue[-1][0] >= memory:
                break
            del suspects[reporter]
        log = self._flagged_log
        while log and log[0][0] < memory:  # relabelled entries are logged late: a few linger, bounded
            self._flagged.discard(log.popleft()[1])
        rings = self._rings
        while rings:
            ring_id, ring = next(iter(rings.items()))
            if ring.last_ts >= memory:
                break
            del rings[ring_id]
            for member in ring.members:
                if self._member_ring.get(member) == ring_id:
                    del self._member_ring[member]
