"""Author impersonation in a decision: the one test every path that opens account cases shares.

A decision says its AUTHOR imitates a protected entity when the policy kept an ``impersonation``
category and the ``impersonation.v1`` signal behind it carries the ``author`` tag (a look-alike
link or an organisation named in the text is about the post, not the account). The worker
(``review.accounts.impersonation_cases``) and ``khien scan --db`` both ask :func:`author_signal`;
``khien scan`` carries an :class:`AuthorFinding` back from its worker processes (small and
picklable, built only for the few decisions that have one).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Account, Decision, Item, SignalRecord

__all__ = ["AuthorFinding", "author_signal", "author_finding", "MAX_EVIDENCE"]

CATEGORY = "impersonation"
MAX_EVIDENCE = 20  # lines; the audit chain keeps what matched, not a dump of the post


def author_signal(decision: Decision) -> SignalRecord | None:
    """The decision's impersonation signal about the author (with an entity), if the policy kept
    the category; None for every other decision (a scan of its categories and signal records)."""
    if decision.category(CATEGORY) is None:
        return None
    for s in decision.signals:
        if s.category == CATEGORY and "author" in s.tags and s.details.get("entity"):
            return s
    return None


@dataclass(frozen=True, slots=True)
class AuthorFinding:
    """An item whose decision says its author imitates ``entity``.

    ``platform`` is the item's own (None when the record names none: the caller supplies a default
    or skips it); ``author`` is the account as the item describes it (its ``id`` may be missing:
    such an author cannot get a case). ``evidence`` is one line a reason: the author fields that
    matched (with the item they were seen on), then the matcher's reasons in words.
    """

    item_id: str
    platform: str | None
    author: Account
    entity: str
    score: float
    evidence: tuple[str, ...]


def author_finding(item: Item, decision: Decision) -> AuthorFinding | None:
    """The :class:`AuthorFinding` of a decided item, or None when its author imitates nobody."""
    if item.author is None:
        return None
    signal = author_signal(decision)
    if signal is None:
        return None
    entity = str(signal.details["entity"])
    category = decision.category(CATEGORY)
    assert category is not None  # author_signal checked it
    label = f"impersonation:{entity}"
    fields = [f"{e.field} {e.text!r} (item {item.id!r})" for e, _detector in category.evidence
              if e.field and e.field.startswith("author.") and e.label == label]
    why = [str(w) for w in signal.details.get("why") or ()]
    return AuthorFinding(item_id=item.id, platform=item.platform or None, author=item.author, entity=entity,
                         score=float(signal.score), evidence=tuple((fields + why)[:MAX_EVIDENCE]))
