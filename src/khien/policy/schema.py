"""Policy documents: load, validate, compile. The version is the hash of the content.

A policy is YAML (see ``khien/data/policy.yaml`` for the published default and
``docs/policy.md`` for the language). Validation names the bad field and lists the valid names.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Mapping

import yaml

from ..enums import AccountAction, Action, Mode
from ..errors import PolicyError
from ..strict import nearest, parse
from .conditions import Context, compile_condition, required_categories

__all__ = ["Category", "Rule", "Policy", "load_policy", "parse_policy", "TAXONOMY", "default_policy_path",
           "PolicyDocument", "PolicyMeta", "CategoryConfig", "RuleConfig", "Bilingual", "StrikeRule", "AccountRule",
           "AccountPolicy", "AccountsConfig", "StrikeConfig", "AccountRuleConfig", "fill_statement"]

TAXONOMY = (
    "scam",
    "impersonation",
    "spam",
    "hate",
    "harassment",
    "violence",
    "sexual",
    "self_harm",
    "misinformation",
    "profanity",
)
MODES = tuple(m.value for m in Mode)


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    title: Mapping[str, str]
    definition: Mapping[str, str]
    clause: str
    report_threshold: float
    severity: int
    dsa_category: str
    not_reported_when: Callable[[Context], bool] | None = field(default=None, repr=False, compare=False)
    # Help offered in every notice about this category (e.g. hotlines for self-harm), {"vi", "en"}.
    support: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    description: str
    category: str
    action: str
    mode: str
    clause: str
    when: Callable[[Context], bool] = field(repr=False, compare=False)
    needs: frozenset[str] = frozenset()  # categories that must be present for the rule to match
    # Multiplies the priority of the case a decision opens when this rule matched (enforced), whichever
    # rule set the action: a campaign member held for review by another rule comes up sooner.
    priority: float = 1.0
    # A sentence added to the statement of reasons when the rule matched, {"vi", "en"}; ``{fact}``
    # placeholders are filled from the item's facts (``{campaign}``, ``{campaign.size}``, ...).
    statement: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class StrikeRule:
    """What one upheld violation in ``category`` weighs, and for how many days it counts."""

    category: str
    weight: float
    expires_days: int


@dataclass(frozen=True, slots=True)
class AccountRule:
    """One step of the account ladder: when the active strikes in ``categories`` weigh at least
    ``min_weight``, the account gets ``action`` for ``duration_days`` (None: until a person lifts it)."""

    id: str
    description: str
    categories: tuple[str, ...]
    min_weight: float
    action: AccountAction
    duration_days: int | None = None
    notice: Mapping[str, str] | None = None  # an optional explanation {"vi", "en"} quoted in the notice

    def rank(self) -> tuple[int, float]:
        """How severe the rule is: its action first, then its duration (none = longest)."""
        return (self.action.severity, float("inf") if self.duration_days is None else float(self.duration_days))


@dataclass(frozen=True, slots=True)
class AccountPolicy:
    """The ``accounts:`` section, compiled: strike weights per category and the action ladder."""

    strikes: Mapping[str, StrikeRule] = field(default_factory=dict)
    rules: tuple[AccountRule, ...] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    version: str
    description: str
    categories: Mapping[str, Category]
    rules: tuple[Rule, ...]
    detectors: Mapping[str, Mapping[str, Any]]
    appeal: Mapping[str, str]
    document: Mapping[str, Any] = field(repr=False, compare=False)
    accounts: AccountPolicy = field(default_factory=AccountPolicy)

    def clauses(self) -> dict[str, str]:
        """Clause number → category name, as published."""
        return {c.clause: c.name for c in self.categories.values()}

    def priority_factor(self, rule_ids: Any) -> float:
        """The largest ``priority`` of the (enforced) rules a decision names: its case's priority factor."""
        by_id = {r.id: r.priority for r in self.rules}
        return max((by_id.get(r, 1.0) for r in rule_ids), default=1.0)


def default_policy_path() -> Path:
    return Path(str(resources.files("khien.data").joinpath("policy.yaml")))


# -- the typed form of each section: unknown keys and wrong types fail at load, with did-you-mean --
@dataclass(frozen=True, slots=True)
class Bilingual:
    """A text in Vietnamese and English (``{vi: ..., en: ...}``); both are required."""

    vi: str
    en: str


@dataclass(frozen=True, slots=True)
class PolicyMeta:
    """The ``policy:`` section."""

    name: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class CategoryConfig:
    """One entry of ``categories:`` (its key is the taxonomy name)."""

    title: Bilingual
    definition: Bilingual
    clause: str | int | float
    report_threshold: float = 0.5
    severity: int = 1
    dsa_category: str = "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
    not_reported_when: dict[str, Any] | None = None
    support: Bilingual | None = None


@dataclass(frozen=True, slots=True)
class RuleConfig:
    """One entry of ``rules:``."""

    id: str
    description: str
    category: str
    when: dict[str, Any]
    action: Action
    mode: Mode = Mode.ENFORCE
    clause: str | int | float | None = None
    priority: float = 1.0
    statement: Bilingual | None = None


@dataclass(frozen=True, slots=True)
class StrikeConfig:
    """One entry of ``accounts.strikes`` (its key is a category of ``categories:``)."""

    weight: float
    expires_days: int


@dataclass(frozen=True, slots=True)
class AccountRuleConfig:
    """One entry of ``accounts.actions``."""

    id: str
    description: str
    categories: list[str]
    min_weight: float
    action: AccountAction
    duration_days: int | None = None
    notice: Bilingual | None = None


@dataclass(frozen=True, slots=True)
class AccountsConfig:
    """The ``accounts:`` section. Entries are parsed one by one (their paths name them)."""

    strikes: dict[str, Any]
    actions: list[Any]


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    """A policy file's top level. Categories and rules are parsed one by one (their paths name them)."""

    policy: PolicyMeta
    appeal: Bilingual
    categories: dict[str, Any]
    rules: list[Any]
    detectors: dict[str, dict[str, Any] | None] | None = None
    accounts: dict[str, Any] | None = None


def _texts(value: Bilingual, where: str) -> dict[str, str]:
    for lang in ("vi", "en"):
        if not getattr(value, lang).strip():
            raise PolicyError(f"{where}.{lang} is required (a non-empty text)", field=f"{where}.{lang}")
    return {"vi": value.vi.strip(), "en": value.en.strip()}


def _non_empty(value: str, where: str, what: str) -> str:
    if not value.strip():
        raise PolicyError(f"{where} is required ({what})", field=where)
    return value


def content_hash(document: Mapping[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _in_rule(exc: PolicyError, rule_id: str) -> PolicyError:
    """The same error, saying which rule (by id) its ``rules[N]`` path is in."""
    return PolicyError(f"{exc.message} (in rule '{rule_id}')", field=exc.field, hint=exc.hint)


def parse_policy(
    document: Any,
    *,
    signals: set[str] | None = None,
    tags: set[str] | None = None,
    facts: set[str] | None = None,
) -> Policy:
    """Validate and compile a decoded policy document.

    Every section and every condition is checked against its typed form (:class:`PolicyDocument`,
    :class:`CategoryConfig`, :class:`RuleConfig`, the condition specs of
    :mod:`khien.policy.conditions`): an unknown key fails naming its path and the nearest valid
    key (``rules[3].when.min_scor: unknown key; did you mean `min_score`? (in rule '...')``).
    ``signals`` and ``tags`` are what the assembled detectors can emit; when given, rules naming
    anything else fail here, at load time, not silently at run time.
    """
    if not isinstance(document, Mapping):
        raise PolicyError("a policy must be a YAML mapping with 'policy', 'categories' and 'rules'")
    top = parse(PolicyDocument, document, "", error=PolicyError)
    name = _non_empty(top.policy.name, "policy.name", "a text")
    description = top.policy.description
    appeal = _texts(top.appeal, "appeal")

    deferred: dict[str, Any] = {}
    categories: dict[str, Category] = {}
    for cname, spec in top.categories.items():
        where = f"categories.{cname}"
        if cname not in TAXONOMY:
            guess = nearest(cname, TAXONOMY)
            raise PolicyError(
                f"{where}: unknown category {cname!r}; " + (f"did you mean `{guess}`? " if guess else "")
                + f"valid categories: {', '.join(TAXONOMY)}", field=where
            )
        cat = parse(CategoryConfig, spec, where, error=PolicyError)
        if not 0 <= cat.report_threshold <= 1:
            raise PolicyError(f"{where}.report_threshold must be a number between 0 and 1", field=f"{where}.report_threshold")
        if not 0 <= cat.severity <= 10:
            raise PolicyError(f"{where}.severity must be an integer from 0 to 10", field=f"{where}.severity")
        categories[cname] = Category(
            name=cname,
            title=_texts(cat.title, f"{where}.title"),
            definition=_texts(cat.definition, f"{where}.definition"),
            clause=_non_empty(str(cat.clause), f"{where}.clause", "the clause number, e.g. '2.1'"),
            report_threshold=float(cat.report_threshold),
            severity=cat.severity,
            dsa_category=cat.dsa_category,
            support=_texts(cat.support, f"{where}.support") if cat.support is not None else None,
        )
        if cat.not_reported_when is not None:
            deferred[cname] = cat.not_reported_when
    for cname, cond in deferred.items():
        compiled = compile_condition(
            cond, f"categories.{cname}.not_reported_when", categories=set(categories), signals=signals, tags=tags, facts=facts
        )
        c = categories[cname]
        categories[cname] = Category(
            c.name, c.title, c.definition, c.clause, c.report_threshold, c.severity, c.dsa_category, compiled, c.support
        )

    detectors = top.detectors or {}
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, spec in enumerate(top.rules):
        where = f"rules[{i}]"
        rid = spec.get("id") if isinstance(spec, Mapping) else None
        try:
            rule = parse(RuleConfig, spec, where, error=PolicyError)
            rules.append(_compile_rule(rule, where, seen, categories, signals, tags, facts))
        except PolicyError as exc:
            raise (_in_rule(exc, rid) if isinstance(rid, str) and rid else exc) from None

    return Policy(
        name=name,
        version=content_hash(document),
        description=description,
        categories=categories,
        rules=tuple(rules),
        detectors={k: dict(v or {}) for k, v in detectors.items()},
        appeal=appeal,
        document=document,
        accounts=_accounts(top.accounts, categories) if top.accounts is not None else AccountPolicy(),
    )


def _unknown_category(name: str, where: str, categories: Mapping[str, Category]) -> PolicyError:
    guess = nearest(name, categories)
    return PolicyError(
        f"{where}: {name!r} is not a category of this policy; "
        + (f"did you mean `{guess}`? " if guess else "") + f"valid categories: {', '.join(categories)}",
        field=where,
    )


def _accounts(spec: Mapping[str, Any], categories: Mapping[str, Category]) -> AccountPolicy:
    """Compile ``accounts:``: every category named exists, weights and windows are positive, ids are
    unique, ``warn`` and ``ban`` take no duration, and every action names categories that carry strikes."""
    section = parse(AccountsConfig, spec, "accounts", error=PolicyError)
    strikes: dict[str, StrikeRule] = {}
    for cname, entry in section.strikes.items():
        where = f"accounts.strikes.{cname}"
        if cname not in categories:
            raise _unknown_category(cname, where, categories)
        cfg = parse(StrikeConfig, entry, where, error=PolicyError)
        if not 0 < cfg.weight < math.inf:
            raise PolicyError(f"{where}.weight must be a number above 0", field=f"{where}.weight")
        if cfg.expires_days <= 0:
            raise PolicyError(f"{where}.expires_days must be a whole number of days above 0",
                              field=f"{where}.expires_days")
        strikes[cname] = StrikeRule(cname, float(cfg.weight), cfg.expires_days)
    rules: list[AccountRule] = []
    seen: set[str] = set()
    for i, entry in enumerate(section.actions):
        where = f"accounts.actions[{i}]"
        rid = entry.get("id") if isinstance(entry, Mapping) else None
        try:
            rules.append(_account_rule(parse(AccountRuleConfig, entry, where, error=PolicyError), where, seen,
                                       categories, strikes))
        except PolicyError as exc:
            raise (_in_rule(exc, rid) if isinstance(rid, str) and rid else exc) from None
    return AccountPolicy(strikes=strikes, rules=tuple(rules))


def _account_rule(cfg: AccountRuleConfig, where: str, seen: set[str], categories: Mapping[str, Category],
                  strikes: Mapping[str, StrikeRule]) -> AccountRule:
    rid = _non_empty(cfg.id, f"{where}.id", "a unique text id, e.g. 'account.scam-repeat'")
    if rid in seen:
        raise PolicyError(f"{where}.id: duplicate account action id {rid!r}", field=f"{where}.id")
    seen.add(rid)
    desc = _non_empty(cfg.description, f"{where}.description", "a text saying when the account is acted on")
    if not cfg.categories:
        raise PolicyError(f"{where}.categories must name at least one category", field=f"{where}.categories")
    for n, cname in enumerate(cfg.categories):
        if cname not in categories:
            raise _unknown_category(cname, f"{where}.categories[{n}]", categories)
        if cname not in strikes:
            raise PolicyError(f"{where}.categories[{n}]: {cname!r} carries no strikes (add it to accounts.strikes "
                              f"with a weight and expires_days)", field=f"{where}.categories[{n}]")
    if not 0 < cfg.min_weight < math.inf:
        raise PolicyError(f"{where}.min_weight must be a number above 0", field=f"{where}.min_weight")
    if cfg.duration_days is not None:
        if cfg.action in (AccountAction.BAN, AccountAction.WARN):
            raise PolicyError(f"{where}.duration_days: a {cfg.action.value} takes no duration (remove the key)",
                              field=f"{where}.duration_days")
        if cfg.duration_days <= 0:
            raise PolicyError(f"{where}.duration_days must be a whole number of days above 0 (omit it for "
                              "'until a person lifts it')", field=f"{where}.duration_days")
    notice = _texts(cfg.notice, f"{where}.notice") if cfg.notice is not None else None
    return AccountRule(rid, desc.strip(), tuple(dict.fromkeys(cfg.categories)), float(cfg.min_weight), cfg.action,
                       cfg.duration_days, notice)


def _compile_rule(rule: RuleConfig, where: str, seen: set[str], categories: Mapping[str, Category],
                  signals: set[str] | None, tags: set[str] | None, facts: set[str] | None) -> Rule:
    rid = _non_empty(rule.id, f"{where}.id", "a unique text id, e.g. 'scam.recruitment-task'")
    if rid in seen:
        raise PolicyError(f"{where}: duplicate rule id {rid!r}", field=f"{where}.id")
    seen.add(rid)
    desc = _non_empty(rule.description, f"{where}.description", "a text saying what the rule catches")
    if rule.category not in categories:
        guess = nearest(rule.category, categories)
        raise PolicyError(
            f"{where}.category {rule.category!r} is not defined in this policy; "
            + (f"did you mean `{guess}`? " if guess else "") + f"valid categories: {', '.join(categories)}",
            field=f"{where}.category",
        )
    clause = str(rule.clause) if rule.clause is not None else categories[rule.category].clause
    when = compile_condition(rule.when, f"{where}.when", categories=set(categories), signals=signals, tags=tags,
                             facts=facts)
    if not 0 < rule.priority <= 10:
        raise PolicyError(f"{where}.priority must be a number above 0 and at most 10 (a factor of the case's "
                          f"priority)", field=f"{where}.priority")
    statement = None
    if rule.statement is not None:
        statement = _texts(rule.statement, f"{where}.statement")
        _check_placeholders(statement, f"{where}.statement", facts)
    return Rule(rid, desc.strip(), rule.category, rule.action.value, rule.mode.value, clause, when,
                required_categories(rule.when), float(rule.priority), statement)


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _check_placeholders(texts: Mapping[str, str], where: str, facts: set[str] | None) -> None:
    """Every ``{name}`` in a rule's statement names a fact (an item fact or one a detector establishes)."""
    from .conditions import FACTS

    valid = set(FACTS) | set(facts or ())
    for lang, text in texts.items():
        for name in _PLACEHOLDER.findall(text):
            if facts is not None and name not in valid:
                guess = nearest(name, valid)
                raise PolicyError(
                    f"{where}.{lang} names unknown fact {{{name}}}; " + (f"did you mean `{{{guess}}}`? " if guess else "")
                    + f"valid facts: {', '.join(sorted(valid))}", field=f"{where}.{lang}")


def fill_statement(texts: Mapping[str, str], facts: Mapping[str, Any], item_fact: Callable[[str], Any]) -> dict[str, str]:
    """A rule's statement with each ``{fact}`` replaced by its value for this item."""
    def value(m: "re.Match[str]") -> str:
        name = m.group(1)
        found = facts[name] if name in facts else item_fact(name)
        if isinstance(found, (list, tuple)):
            return ", ".join(str(v) for v in found)
        return "" if found is None else str(found)

    return {lang: _PLACEHOLDER.sub(value, text) for lang, text in texts.items()}


def read_policy_document(path: str | Path | None = None) -> dict[str, Any]:
    """Read a policy file (default: the packaged policy) into a mapping."""
    source = Path(path) if path is not None else default_policy_path()
    try:
        raw = source.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PolicyError(f"policy file {source} does not exist") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"cannot read policy file {source}: {exc}") from exc
    try:
        document = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise PolicyError(f"policy file {source} is not valid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise PolicyError(f"policy file {source} must contain a YAML mapping")
    return document


def load_policy(path: str | Path | None = None, **kwargs: Any) -> Policy:
    return parse_policy(read_policy_document(path), **kwargs)
