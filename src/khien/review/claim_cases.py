"""Fact-check decisions of a batch run recorded in the store (``khien scan --db``, issue 15).

A scan decides every line but records only the decisions ``claims.v1`` made: those whose decided
category (the one the decision's clause names) has its evidence from ``claims.v1``, with the action
``label`` (``misinformation.debunked-claim`` in the default policy) or ``review``
(``misinformation.possible``). They go through :func:`khien.review.intake.moderate_many`, the path
of ``POST /v1/moderate`` and ``khien stream --db``: the item is stored, the decision recorded once
per (platform, item, version, policy), and a ``review`` decision opens its case (the console's
fact-check case: the post beside its candidate fact-checks), audited and announced, only when the
decision row was added. A scan run again therefore records nothing twice and opens no second case.
A ``label`` decision is recorded (the item's history, appeals, transparency) and opens no case, as
on the API: the label is applied automatically; a person looks at the ``review`` ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from ..clock import SYSTEM, Clock
from ..enums import Action
from ..model import Decision, Item
from ..policy import Policy
from ..store import Tx
from .claim_verdicts import DETECTOR
from .intake import CASE_ACTIONS, moderate_many

__all__ = ["FACT_CHECK_ACTIONS", "Recorded", "fact_check_decisions", "record"]

FACT_CHECK_ACTIONS = frozenset({Action.LABEL.value, Action.REVIEW.value})


def fact_check_decisions(policy: Policy) -> Callable[[Decision], bool]:
    """A predicate: does ``claims.v1`` make this decision? (Cheap: a lookup and a scan of the
    decided category's evidence; a scan calls it on every decision.)"""
    clauses = policy.clauses()

    def made_by_claims(decision: Decision) -> bool:
        if decision.action not in FACT_CHECK_ACTIONS:
            return False
        finding = decision.category(clauses.get(decision.clause or "", ""))
        return finding is not None and any(detector == DETECTOR for _, detector in finding.evidence)

    return made_by_claims


@dataclass(frozen=True, slots=True)
class Recorded:
    """What :func:`record` did: decisions recorded now (of which ``cases_opened`` opened a case and
    ``labelled`` are labels), and ``already`` recorded before (a scan run again)."""

    recorded: int = 0
    cases_opened: int = 0
    labelled: int = 0
    already: int = 0

    def __add__(self, other: "Recorded") -> "Recorded":
        return Recorded(self.recorded + other.recorded, self.cases_opened + other.cases_opened,
                        self.labelled + other.labelled, self.already + other.already)


def record(tx: Tx, policy: Policy, pairs: Sequence[tuple[Item, Decision]], *, clock: Clock = SYSTEM) -> Recorded:
    """Record these engine decisions (see the module docstring) in one transaction.

    A decision added now whose action needs people opens exactly one case
    (:func:`~khien.review.intake.record_engine_decisions`: one per new decision row), so the cases
    opened are the decisions created with such an action.
    """
    if not pairs:
        return Recorded()
    done = moderate_many(tx, policy, pairs, clock=clock)
    created = [m for m in done if m.created]
    return Recorded(recorded=len(created),
                    cases_opened=sum(m.decision.action in CASE_ACTIONS for m in created),
                    labelled=sum(m.decision.action == Action.LABEL for m in created),
                    already=len(done) - len(created))
