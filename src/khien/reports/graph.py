"""The co-report graph: which reporters reported the same targets together, with decay.

An edge ``(a, b)`` counts the distinct targets ``a`` and ``b`` reported within one window of each
other, halved every ``half_life_s`` and forgotten ``memory_s`` after it was last touched. Rings
attack many targets with largely the same members, so their edges gather weight from several
targets; two honest strangers who happened to report one viral scam share one target and stop
there. The edge remembers its last target so the co-report that is happening now is not counted as
*history* for itself.

Busy honest reporters meet everybody: someone who reports fifty popular scams a week shares
targets with many strangers by chance. So the graph also keeps each reporter's decayed activity
(targets reported), and :meth:`CoReportGraph.share` relates the shared targets to the busier
reporter's activity: ring members report little besides their attacks, and share most of it.

Bounded: at most ``max_pairs`` edges (the least recently touched go first), and touches are
amortised O(1) (an insertion-ordered dict, swept from the old end).
"""

from __future__ import annotations

from collections import OrderedDict

__all__ = ["CoReportGraph"]


class CoReportGraph:
    """Decayed co-report edges between reporters. Times are the caller's event times."""

    __slots__ = ("_edges", "_activity", "half_life_s", "memory_s", "max_pairs", "evicted")

    def __init__(self, *, half_life_s: float, memory_s: float, max_pairs: int) -> None:
        # Values are tuples of atoms, replaced on update rather than mutated: the garbage collector
        # stops tracking such tuples, so hundreds of thousands of edges do not lengthen its pauses.
        # key (a, b) with a < b -> (weight at last touch, last touch ts, last target)
        self._edges: OrderedDict[tuple[str, str], tuple[float, float, str]] = OrderedDict()
        # reporter -> (decayed targets reported before the current one, last report ts, the name)
        self._activity: OrderedDict[str, tuple[float, float, str]] = OrderedDict()
        self.half_life_s = half_life_s
        self.memory_s = memory_s
        self.max_pairs = max_pairs
        self.evicted = 0  # edges dropped by the size cap (not by age): a sign the cap is too small

    def __len__(self) -> int:
        return len(self._edges)

    @property
    def reporters(self) -> int:
        """Reporters whose activity is remembered."""
        return len(self._activity)

    def activity(self, reporter: str, now: float) -> float:
        """Decayed number of targets ``reporter`` reported before (0 for a stranger)."""
        act = self._activity.get(reporter)
        return 0.0 if act is None else act[0] * 0.5 ** ((now - act[1]) / self.half_life_s)

    def name(self, reporter: str) -> str:
        """The string object already kept for ``reporter`` (so that one copy is held), or itself."""
        act = self._activity.get(reporter)
        return reporter if act is None else act[2]

    def note(self, reporter: str, now: float) -> None:
        """Count one more target reported by ``reporter`` (call after judging the report)."""
        act = self._activity.get(reporter)
        if act is None:
            self._activity[reporter] = (1.0, now, reporter)
            return
        self._activity[reporter] = (act[0] * 0.5 ** ((now - act[1]) / self.half_life_s) + 1.0, now, act[2])
        self._activity.move_to_end(reporter)

    def share(self, a: str, b: str, target: str, now: float) -> tuple[float, float]:
        """Shared earlier targets of ``a`` and ``b``, and that as a share of the busier one's activity."""
        shared = self.history(a, b, target, now)
        if shared <= 0.0:
            return 0.0, 0.0
        busier = max(self.activity(a, now), self.activity(b, now), 1.0)
        return shared, shared / busier

    @staticmethod
    def _key(a: str, b: str) -> tuple[str, str]:
        return (a, b) if a < b else (b, a)

    def history(self, a: str, b: str, target: str, now: float) -> float:
        """Decayed number of targets, other than ``target``, that ``a`` and ``b`` co-reported."""
        edge = self._edges.get(self._key(a, b))
        if edge is None:
            return 0.0
        weight = edge[0] * 0.5 ** ((now - edge[1]) / self.half_life_s)
        return weight - 1.0 if edge[2] == target else weight  # the current target is not history

    def touch(self, a: str, b: str, target: str, now: float) -> None:
        """Record that ``a`` and ``b`` reported ``target`` together at ``now``."""
        key = self._key(a, b)
        edge = self._edges.get(key)
        if edge is None:
            self._edges[key] = (1.0, now, target)
            if len(self._edges) > self.max_pairs:
                self._edges.popitem(last=False)
                self.evicted += 1
            return
        decayed = edge[0] * 0.5 ** ((now - edge[1]) / self.half_life_s)
        # one more distinct target; repeats on one target add nothing
        self._edges[key] = (decayed + 1.0, now, target) if edge[2] != target else (decayed, now, target)
        self._edges.move_to_end(key)

    def forget_before(self, cutoff: float) -> None:
        """Drop edges last touched before ``cutoff`` (they are the oldest, at the front)."""
        edges = self._edges
        while edges:
            key, edge = next(iter(edges.items()))
            if edge[1] >= cutoff:
                break
            del edges[key]
        activity = self._activity
        while activity:
            reporter, act = next(iter(activity.items()))
            if act[1] >= cutoff:
                break
            del activity[reporter]
