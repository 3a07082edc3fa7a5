"""A target's sliding window of reports, with its signal counters kept incrementally.

Every count the detector scores (distinct reporters, new accounts, poor records, shared statements,
reporters with co-report history) is updated when a report enters or leaves the window, so judging
a report never rescans the window. Counts are per distinct *reporter*: one account reporting a
target five times is one reporter.
"""

from __future__ import annotations

from collections import Counter, deque

__all__ = ["WindowEntry", "TargetWindow"]


class WindowEntry:
    """One report kept in a target's window (and, if it was in a burst, among its reporter's suspects)."""

    __slots__ = ("ts", "report_id", "reporter", "target", "flagged", "suspect")

    def __init__(self, ts: float, report_id: int, reporter: str, target: str) -> None:
        self.ts, self.report_id, self.reporter, self.target = ts, report_id, reporter, target
        self.flagged = False  # judged part of a ring (at observe time or re-labelled)
        self.suspect = False  # kept among its reporter's suspects


class TargetWindow:
    """The reports on one target within the detector's window, oldest first."""

    __slots__ = ("entries", "count", "props", "keys", "partners",
                 "n_new", "n_poor", "n_dup", "n_linked", "ring", "last_ts")

    def __init__(self) -> None:
        self.entries: deque[WindowEntry] = deque()
        self.count: dict[str, int] = {}  # reporter -> their entries in the window
        self.props: dict[str, tuple[bool, bool, int | None]] = {}  # reporter -> (new, poor, statement key)
        self.keys: Counter[int] = Counter()  # statement key -> distinct reporters who wrote it
        self.partners: dict[str, set[str]] = {}  # reporter -> reporters in window with co-report history
        self.n_new = 0
        self.n_poor = 0
        self.n_dup = 0  # distinct reporters whose statement another reporter here shares
        self.n_linked = 0  # distinct reporters with at least one partner here
        self.ring: str | None = None  # the ring attacking this target now, if recognised
        self.last_ts = 0.0

    @property
    def reporters(self) -> int:
        return len(self.count)

    def add(self, entry: WindowEntry, new: bool, poor: bool, key: int | None) -> bool:
        """Append a report; True when its reporter is new to the window (then counted)."""
        reporter = entry.reporter
        self.entries.append(entry)
        seen = self.count.get(reporter, 0)
        self.count[reporter] = seen + 1
        if seen:
            return False
        self.props[reporter] = (new, poor, key)
        self.n_new += new
        self.n_poor += poor
        if key is not None:
            n = self.keys[key] = self.keys[key] + 1
            self.n_dup += 2 if n == 2 else (1 if n > 2 else 0)
        self.partners[reporter] = set()
        return True

    def link(self, a: str, b: str) -> None:
        """``a`` and ``b``, both in the window, have co-reported other targets before."""
        for x, y in ((a, b), (b, a)):
            partners = self.partners[x]
            if not partners:
                self.n_linked += 1
            partners.add(y)

    def expire(self, cutoff: float) -> None:
        """Drop reports older than ``cutoff``; an emptied window forgets its ring attack."""
        entries = self.entries
        while entries and entries[0].ts < cutoff:
            self._remove(entries.popleft())
        if not entries:
            self.ring = None

    def shares_statement(self, reporter: str) -> bool:
        key = self.props[reporter][2]
        return key is not None and self.keys[key] > 1

    def _remove(self, entry: WindowEntry) -> None:
        reporter = entry.reporter
        left = self.count[reporter] - 1
        if left:
            self.count[reporter] = left
            return
        del self.count[reporter]
        new, poor, key = self.props.pop(reporter)
        self.n_new -= new
        self.n_poor -= poor
        if key is not None:
            n = self.keys[key] = self.keys[key] - 1
            self.n_dup -= 2 if n == 1 else (1 if n > 1 else 0)
            if not n:
                del self.keys[key]
        partners = self.partners.pop(reporter)
        if partners:
            self.n_linked -= 1
        for other in partners:
            others = self.partners.get(other)
            if others is not None and reporter in others:
                others.discard(reporter)
                if not others:
                    self.n_linked -= 1
