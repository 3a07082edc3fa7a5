"""How independent pieces of evidence combine into one score: the noisy-OR, written once.

Detectors (lexicon terms, contact cues, patterns, impersonation matches) and the policy (a
category's score from its signals) all combine scores the same way: each piece of evidence alone
would miss with probability ``1 - s``; they all miss with ``Π(1 - s)``; so the combined score is
``1 - Π(1 - s)``. Two weak cues corroborate each other; a single cue keeps its own score.
"""

from __future__ import annotations

from typing import Iterable

__all__ = ["noisy_or"]


def noisy_or(scores: Iterable[float], start: float = 1.0) -> float:
    """``1 - start · Π(1 - s)`` over ``scores``, multiplied in the order given.

    ``start`` is the miss probability already accumulated (1.0: none yet); the order is kept so
    results are bit-for-bit those of the loops this function replaced.
    """
    miss = start
    for s in scores:
        miss *= 1.0 - s
    return 1.0 - miss
