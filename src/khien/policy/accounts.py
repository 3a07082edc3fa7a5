"""Account standing: strikes, their decay, and the account action the policy's ladder calls for.

Pure functions over a policy and the strikes a caller hands over; nothing here reads a database or a
clock (``now`` is passed in, as epoch seconds). The rules, as published in ``docs/policy.md``:

- A **strike** is recorded when content is removed for a category listed under ``accounts.strikes``
  and the removal stands. It carries the weight the policy gave that category when it was recorded.
- **Decay** is a plain window: a strike given at ``ts`` counts while ``now < ts + expires_days``
  (days of 86,400 seconds; ``expires_days`` is the current policy's for the strike's category). A
  strike in a category that no longer carries strikes counts for nothing.
- **Removed strikes** (a removal reversed on appeal) are the caller's to leave out: this module counts
  exactly the strikes it is given.
- The **ladder**: an action rule matches when the active strikes in its categories weigh at least its
  ``min_weight``. Of the matching rules, the most severe applies (``ban`` > ``suspend`` > ``restrict`` >
  ``warn``; for the same action the longer duration, no duration being the longest; then file order).
- **No re-issuing**: nothing is issued when the account already has that action or a more severe one
  in force (``current``), nor, when ``last_action_at`` is given, unless at least one counted strike is
  newer than the account's last action, so the same strikes never act on an account twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterable, Mapping, Sequence

from ..clock import iso
from ..enums import AccountAction
from .schema import AccountRule, Policy

__all__ = ["Strike", "AccountStanding", "AccountVerdict", "ACCOUNT_ACTION_WORDS", "DAY", "new_strike",
           "active_strikes", "standing", "account_action", "account_statement"]

DAY = 86_400.0

# How each account action reads in a notice: "Your account has been <en>", "Tài khoản của bạn bị <vi>".
ACCOUNT_ACTION_WORDS: Mapping[AccountAction, Mapping[str, str]] = MappingProxyType({
    AccountAction.WARN: {"vi": "cảnh cáo", "en": "warned"},
    AccountAction.RESTRICT: {"vi": "hạn chế tính năng", "en": "restricted"},
    AccountAction.SUSPEND: {"vi": "tạm khóa", "en": "suspended"},
    AccountAction.BAN: {"vi": "khóa vĩnh viễn", "en": "banned"},
})


@dataclass(frozen=True, slots=True)
class Strike:
    """One upheld violation of an account: its category, the weight it was given, when (epoch
    seconds), the item it was for, and the decision that upheld it, if stored."""

    category: str
    weight: float
    ts: float
    item: str
    decision_id: int | None = None


@dataclass(frozen=True, slots=True)
class AccountStanding:
    """An account's active strikes at ``now`` and their total weight per category."""

    now: float
    active: tuple[Strike, ...]
    weights: Mapping[str, float]

    def weight(self, categories: Iterable[str]) -> float:
        """The total active weight over ``categories``."""
        return sum(self.weights.get(c, 0.0) for c in categories)


@dataclass(frozen=True, slots=True)
class AccountVerdict:
    """The account action the ladder calls for, with everything its notice needs.

    ``until`` is when the action ends (epoch seconds), None for a ban or an action without a duration
    (until a person lifts it). ``strikes`` are the active strikes the rule counted; ``items`` their
    items, each once, in the order the strikes were given. ``reasons`` is the statement of reasons
    ``{"vi", "en"}`` naming the rule, the categories and the items, with the policy's appeal text
    (also given alone in ``appeal``).
    """

    rule: str
    action: AccountAction
    until: float | None
    categories: tuple[str, ...]
    weight: float
    strikes: tuple[Strike, ...]
    items: tuple[str, ...]
    reasons: Mapping[str, str]
    appeal: Mapping[str, str]
    policy: str = field(default="")


def new_strike(policy: Policy, category: str, ts: float, item: str, decision_id: int | None = None) -> Strike | None:
    """The strike ``policy`` gives for an upheld violation in ``category``; None if it gives none."""
    rule = policy.accounts.strikes.get(category)
    if rule is None:
        return None
    return Strike(category, rule.weight, float(ts), item, decision_id)


def _expires_at(policy: Policy, strike: Strike) -> float | None:
    rule = policy.accounts.strikes.get(strike.category)
    return None if rule is None else strike.ts + rule.expires_days * DAY


def active_strikes(policy: Policy, strikes: Iterable[Strike], now: float) -> list[Strike]:
    """The strikes that still count at ``now``, oldest first: given no later than ``now`` and less than
    ``expires_days`` ago. Strikes in categories the policy gives no strikes for are dropped."""
    out = []
    for s in strikes:
        end = _expires_at(policy, s)
        if end is not None and s.ts <= now < end:
            out.append(s)
    return sorted(out, key=lambda s: s.ts)


def standing(policy: Policy, strikes: Iterable[Strike], now: float) -> AccountStanding:
    """The account's active strikes at ``now`` and their total weight per category."""
    active = active_strikes(policy, strikes, now)
    weights: dict[str, float] = {}
    for s in active:
        weights[s.category] = weights.get(s.category, 0.0) + s.weight
    return AccountStanding(now=now, active=tuple(active), weights=MappingProxyType(weights))


def account_action(
    policy: Policy,
    strikes: Iterable[Strike],
    now: float,
    *,
    current: AccountAction | None = None,
    last_action_at: float | None = None,
) -> AccountVerdict | None:
    """The action the ladder calls for at ``now``, or None.

    ``current`` is the account action in force (None if none); ``last_action_at`` when the account was
    last acted on (any action, ended or lifted or not). None when no rule matches, when ``current`` is
    as severe as the matching rule's action or more, or when no counted strike is newer than
    ``last_action_at``.
    """
    stand = standing(policy, strikes, now)
    best: tuple[AccountRule, list[Strike]] | None = None
    for rule in policy.accounts.rules:  # file order breaks ties: the first of equal rank stays
        counted = [s for s in stand.active if s.category in rule.categories]
        # the tolerance keeps ten strikes of 0.1 at a threshold of 1 (floating sums fall short by 1e-16)
        if not counted or sum(s.weight for s in counted) < rule.min_weight - 1e-9:
            continue
        if last_action_at is not None and not any(s.ts > last_action_at for s in counted):
            continue
        if best is None or rule.rank() > best[0].rank():
            best = (rule, counted)
    if best is None:
        return None
    rule, counted = best
    if current is not None and AccountAction(current).severity >= rule.action.severity:
        return None
    until = now + rule.duration_days * DAY if rule.duration_days is not None else None
    items = tuple(dict.fromkeys(s.item for s in counted))
    reasons = account_statement(policy, rule, counted, until)
    return AccountVerdict(
        rule=rule.id, action=rule.action, until=until,
        categories=tuple(c for c in rule.categories if any(s.category == c for s in counted)),
        weight=sum(s.weight for s in counted), strikes=tuple(counted), items=items,
        reasons=reasons, appeal=dict(policy.appeal), policy=policy.version,
    )


def _day(ts: float) -> str:
    return iso(ts)[:16].replace("T", " ") + " UTC"


def account_statement(policy: Policy, rule: AccountRule, counted: Sequence[Strike],
                      until: float | None) -> dict[str, str]:
    """The notice ``{"vi", "en"}`` for ``rule`` acting on an account because of ``counted``: the action
    and its end, the rule id, each category with its title and clause, the items, that the rule applied
    it over violations a person upheld, the rule's own ``notice`` if it has one, and how to appeal."""
    words = ACCOUNT_ACTION_WORDS[rule.action]
    cats = [c for c in rule.categories if any(s.category == c for s in counted)]
    items = ", ".join(dict.fromkeys(s.item for s in counted))
    n = len(counted)
    weight = sum(s.weight for s in counted)
    cat_vi = ", ".join(f"{policy.categories[c].title['vi']} (điều {policy.categories[c].clause})" for c in cats)
    cat_en = ", ".join(f"{policy.categories[c].title['en']} (clause {policy.categories[c].clause})" for c in cats)
    if rule.action in (AccountAction.WARN, AccountAction.BAN):
        span_vi = span_en = ""
    elif until is None:
        span_vi, span_en = " cho đến khi người kiểm duyệt gỡ bỏ", " until a moderator lifts it"
    else:
        span_vi = f" {rule.duration_days} ngày, đến {_day(until)}"
        span_en = f" for {rule.duration_days} days, until {_day(until)}"
    vi = (f"Tài khoản của bạn bị {words['vi']}{span_vi}{',' if span_vi else ''} theo quy tắc {rule.id} của chính "
          f"sách {policy.name}. Lý do: {n} vi phạm đã được xác nhận và vẫn còn được tính, thuộc {cat_vi}; tổng "
          f"trọng số {weight:g}, ngưỡng của quy tắc là {rule.min_weight:g}. Nội dung vi phạm: {items}.")
    en = (f"Your account has been {words['en']}{span_en}{',' if span_en else ''} under rule {rule.id} of the "
          f"{policy.name} policy. Reason: {n} upheld {'violation' if n == 1 else 'violations'} still counting, in "
          f"{cat_en}; total weight {weight:g}, the rule's threshold {rule.min_weight:g}. Items: {items}.")
    # who decided, honestly: the published rule acted, over removals a person upheld one by one
    vi += (" Biện pháp này do quy tắc đã công bố tự động áp dụng; mỗi vi phạm được tính đều đã được người "
           "kiểm duyệt xem xét và xác nhận.")
    en += (" This action was applied automatically by the published rule; each violation it counts was upheld "
           "by a human moderator.")
    if rule.notice:
        vi += " " + rule.notice["vi"]
        en += " " + rule.notice["en"]
    return {"vi": f"{vi} {policy.appeal['vi']}", "en": f"{en} {policy.appeal['en']}"}
