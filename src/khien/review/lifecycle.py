"""The life cycles of items, cases and appeals, as explicit transition tables.

Each table maps (state, move) to the state the move leads to; a move missing from the table is
illegal and :func:`move` refuses it with a :class:`ConflictError` that says what the record is and
what cannot be done ("case 12 is decided; it cannot be claimed"). A claim does not change a case's
state: it is a lock on an open case (``claimed_by`` + ``claim_expires_ts``), so ``claim`` is a move
from ``open`` to ``open``.

The store's UPDATEs repeat the expected old state in their WHERE clause; that is the guard against
a concurrent change, not a second statement of the rules.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Mapping, TypeVar

from ..enums import AppealState, CaseState, ItemStatus
from ..errors import ConflictError

__all__ = ["CASE_MOVES", "APPEAL_MOVES", "ITEM_MOVES", "move", "allowed"]

S = TypeVar("S", bound=StrEnum)

CASE_MOVES: Mapping[tuple[CaseState, str], CaseState] = {
    (CaseState.OPEN, "claim"): CaseState.OPEN,
    (CaseState.OPEN, "decide"): CaseState.DECIDED,
}

APPEAL_MOVES: Mapping[tuple[AppealState, str], AppealState] = {
    (AppealState.OPEN, "decide"): AppealState.DECIDED,
}

ITEM_MOVES: Mapping[tuple[ItemStatus, str], ItemStatus] = {
    (ItemStatus.PENDING, "decide"): ItemStatus.DECIDED,
    (ItemStatus.PENDING, "fail"): ItemStatus.FAILED,
    (ItemStatus.FAILED, "retry"): ItemStatus.PENDING,
}

_PARTICIPLE = {"claim": "claimed", "decide": "decided", "fail": "failed", "retry": "retried"}


def allowed(table: Mapping[tuple[S, str], S], state: S, verb: str) -> bool:
    return (state, verb) in table


def move(table: Mapping[tuple[S, str], S], what: str, state: S, verb: str, *, detail: str = "") -> S:
    """The state ``verb`` leads to from ``state``; ConflictError when the table has no such move.

    ``what`` names the record ("case 12", "item 'p1' on forum"); ``detail`` adds who or why
    (" (by an)") after the state in the message.
    """
    target = table.get((state, verb))
    if target is None:
        raise ConflictError(f"{what} is {state.value}{detail}; it cannot be {_PARTICIPLE.get(verb, verb)}")
    return target
