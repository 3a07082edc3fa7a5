"""The policy condition language, compiled to plain functions.

A condition is one of:

- ``{all: [c, ...]}``, ``{any: [c, ...]}``, ``{not: c}``
- ``{category: NAME, min_score: 0.8, max_score: 1.0}``: the best score of that category
- ``{signal: NAME, min_score: 0.5, in_category: NAME}``: the score of one detector's signal (e.g.
  ``lexicon.scam.v1``), optionally only its signals of one category
- ``{tags: [t, ...], count: 1, in_category: NAME}``: at least ``count`` of these tags were found
  (optionally only in signals of that category)
- ``{fact: FACT, equals|in|gte|gt|lte|lt: value}``: a fact of the item (listed in :data:`FACTS`)
  or one a detector establishes (``stance``, from ``intent.v1``)
- ``{regex: PATTERN, view: canonical}``: an operator's pattern, run with RE2 (linear time), on a
  text view

There is no ``eval`` and no embedded code: this is all a policy can say.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import re2

from ..errors import PolicyError
from ..model import Item, Signal
from ..scores import noisy_or
from ..strict import check_keys, field_names, nearest, parse, unknown_key
from ..text.views import VIEW_NAMES, Views

__all__ = ["Context", "compile_condition", "parse_condition", "SPECS", "FACTS", "condition_names", "category_scores",
           "required_categories", "noisy_or"]


def _author(item: Item, attr: str, default: Any) -> Any:
    return getattr(item.author, attr, default) if item.author is not None else default


FACTS: dict[str, Callable[[Item], Any]] = {
    "reach": lambda item: item.reach_total,
    "views": lambda item: int((item.reach or {}).get("views", 0)),
    "shares": lambda item: int((item.reach or {}).get("shares", 0)),
    "platform": lambda item: item.platform,
    "text_length": lambda item: len(item.text),
    "has_url": lambda item: item.url is not None,
    "has_media": lambda item: bool(item.media),
    "author.verified": lambda item: _author(item, "verified", False),
    "author.followers": lambda item: _author(item, "followers", None) or 0,
    "author.present": lambda item: item.author is not None,
}

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "equals": lambda a, b: a == b,
    "in": lambda a, b: a in b,
    "gte": lambda a, b: a is not None and a >= b,
    "gt": lambda a, b: a is not None and a > b,
    "lte": lambda a, b: a is not None and a <= b,
    "lt": lambda a, b: a is not None and a < b,
}


@dataclass(slots=True)
class Context:
    """What a condition may look at for one item."""

    item: Item
    views: Views
    category_scores: Mapping[str, float]
    signal_scores: Mapping[str, float]
    signal_category_scores: Mapping[tuple[str, str], float]  # (detector, category) -> best score
    tags: Mapping[str, frozenset[str]]  # category -> tags
    all_tags: frozenset[str]
    facts: Mapping[str, Any]  # facts detectors established (e.g. stance), by name

    @classmethod
    def build(cls, item: Item, views: Views, signals: list[Signal]) -> "Context":
        cats = category_scores(signals)
        sigs: dict[str, float] = {}
        tags: dict[str, set[str]] = {}
        facts: dict[str, Any] = {}
        by_cat: dict[tuple[str, str], float] = {}
        for s in signals:
            if s.score > by_cat.get((s.detector, s.category), -1.0):
                by_cat[(s.detector, s.category)] = s.score
            if s.facts:
                facts.update(s.facts)
            if s.score > sigs.get(s.detector, -1.0):
                sigs[s.detector] = s.score
            if s.tags:
                tags.setdefault(s.category, set()).update(s.tags)
        frozen = {k: frozenset(v) for k, v in tags.items()}
        all_tags = frozenset().union(*frozen.values()) if frozen else frozenset()
        return cls(item, views, cats, sigs, by_cat, frozen, all_tags, facts)


Condition = Callable[[Context], bool]


def category_scores(signals: list[Signal]) -> dict[str, float]:
    """A category's score: noisy-OR of its signals, ``1 - Π(1 - s)`` (:func:`khien.scores.noisy_or`).

    Independent detectors that each see part of a scam (a lure phrase, a cheap-TLD link, a rate
    pattern) corroborate each other; a single signal keeps its own score.
    """
    by_category: dict[str, list[float]] = {}
    for s in signals:
        if s.category:  # a signal without one carries only facts
            by_category.setdefault(s.category, []).append(s.score)
    return {cat: noisy_or(scores) for cat, scores in by_category.items()}


_KEYS = ("all", "any", "not", "category", "signal", "tags", "fact", "regex")
_UNSET: Any = object()


def required_categories(spec: Any) -> frozenset[str]:
    """Categories that must have a positive score for ``spec`` to hold (lets evaluation skip rules)."""
    if not isinstance(spec, Mapping):
        return frozenset()
    if "category" in spec and float(spec.get("min_score", 0.0 if "max_score" in spec else 0.5)) > 0:
        return frozenset([spec["category"]])
    if "all" in spec and isinstance(spec["all"], list):
        out: frozenset[str] = frozenset()
        for sub in spec["all"]:
            out |= required_categories(sub)
        return out
    return frozenset()


def condition_names() -> tuple[str, ...]:
    return _KEYS


# -- the typed form of each condition kind: unknown keys and wrong types fail at load ----------
@dataclass(frozen=True, slots=True)
class AllSpec:
    """``{all: [c, ...]}``: every condition holds."""

    all: list[Any]


@dataclass(frozen=True, slots=True)
class AnySpec:
    """``{any: [c, ...]}``: at least one condition holds."""

    any: list[Any]


@dataclass(frozen=True, slots=True)
class NotSpec:
    """``{not: c}``: the condition does not hold."""

    not_: Any


@dataclass(frozen=True, slots=True)
class CategorySpec:
    """``{category: NAME, min_score: 0.5, max_score: 1.0}`` (``min_score`` defaults to 0.5, or 0 with ``max_score``)."""

    category: str
    min_score: float | None = None
    max_score: float | None = None


@dataclass(frozen=True, slots=True)
class SignalSpec:
    """``{signal: NAME, min_score: 0.5, max_score: 1.0, in_category: NAME}``."""

    signal: str
    min_score: float | None = None
    max_score: float | None = None
    in_category: str | None = None


@dataclass(frozen=True, slots=True)
class TagsSpec:
    """``{tags: [t, ...], count: 1, in_category: NAME}``."""

    tags: str | tuple[str, ...]
    count: int = 1
    in_category: str | None = None


@dataclass(frozen=True, slots=True)
class FactSpec:
    """``{fact: FACT, equals|in|gte|gt|lte|lt: value}`` (exactly one comparison)."""

    fact: str
    equals: Any = _UNSET
    in_: list[Any] | None = None
    gte: Any = _UNSET
    gt: Any = _UNSET
    lte: Any = _UNSET
    lt: Any = _UNSET


@dataclass(frozen=True, slots=True)
class RegexSpec:
    """``{regex: PATTERN, view: canonical}``: an RE2 pattern searched in one text view."""

    regex: str
    view: str = "canonical"


SPECS: dict[str, type] = {
    "all": AllSpec, "any": AnySpec, "not": NotSpec, "category": CategorySpec, "signal": SignalSpec,
    "tags": TagsSpec, "fact": FactSpec, "regex": RegexSpec,
}
# Condition keys that are Python keywords are spelt with a trailing underscore in the dataclass.
_PY_NAMES = {"not": "not_", "in": "in_"}


def _keys_of(spec_cls: type) -> list[str]:
    return [f.removesuffix("_") if f.endswith("_") and f[:-1] in _PY_NAMES else f for f in field_names(spec_cls)]


def parse_condition(spec: Any, where: str) -> Any:
    """The typed form of one condition mapping (nested conditions are left as mappings).

    Finds the kind from its key, then refuses keys that kind does not have, with the nearest
    valid one: ``rules[3].when.min_scor: unknown key; did you mean `min_score`?``.
    """
    if not isinstance(spec, Mapping) or not spec:
        raise PolicyError(f"{where} must be a mapping with one of: {', '.join(_KEYS)}; found {spec!r}", field=where)
    kinds = [k for k in _KEYS if k in spec]
    if len(kinds) != 1:
        if not kinds:  # a misspelt kind ("categroy") is the likeliest cause
            for key in spec:
                if nearest(str(key), _KEYS):
                    raise PolicyError(unknown_key(str(key), _KEYS, where), field=f"{where}.{key}")
        raise PolicyError(
            f"{where} must have exactly one of: {', '.join(_KEYS)}; found keys {sorted(spec)}", field=where
        )
    spec_cls = SPECS[kinds[0]]
    check_keys(spec, _keys_of(spec_cls), where, PolicyError)
    renamed = {_PY_NAMES.get(k, k): v for k, v in spec.items()}
    try:
        return parse(spec_cls, renamed, where, error=PolicyError)
    except PolicyError as exc:  # speak of `in`/`not` as the policy writes them
        message, field = exc.message, exc.field or ""
        for key, py in _PY_NAMES.items():
            message = message.replace(f".{py}:", f".{key}:")
            field = field.replace(f".{py}", f".{key}")
        raise PolicyError(message.replace("a list of Anys", "a list"), field=field or None) from None


def _score_bounds(spec: CategorySpec | SignalSpec, where: str) -> tuple[float, float]:
    lo = spec.min_score if spec.min_score is not None else (0.0 if spec.max_score is not None else 0.5)
    hi = spec.max_score if spec.max_score is not None else 1.0
    for name, value in (("min_score", lo), ("max_score", hi)):
        if not 0.0 <= value <= 1.0:
            raise PolicyError(f"{where}.{name} must be a number between 0 and 1, found {value!r}", field=f"{where}.{name}")
    return float(lo), float(hi)


def _known_category(name: str, key: str, where: str, categories: set[str]) -> None:
    if name not in categories:
        guess = nearest(name, categories)
        raise PolicyError(
            f"{where}.{key} names unknown category {name!r}; "
            + (f"did you mean `{guess}`? " if guess else "")
            + f"valid categories: {', '.join(sorted(categories))}",
            field=f"{where}.{key}",
        )


def compile_condition(
    spec: Any,
    where: str,
    *,
    categories: set[str],
    signals: set[str] | None,
    tags: set[str] | None = None,
    facts: set[str] | None = None,
) -> Condition:
    """Compile one condition. ``signals``/``tags``/``facts`` (when known) are the names detectors can emit;
    ``facts`` are detector facts (e.g. ``stance``) on top of the item facts in :data:`FACTS`."""
    typed = parse_condition(spec, where)
    rec = lambda sub, path: compile_condition(sub, path, categories=categories, signals=signals, tags=tags, facts=facts)  # noqa: E731

    if isinstance(typed, (AllSpec, AnySpec)):
        kind = "all" if isinstance(typed, AllSpec) else "any"
        subs = typed.all if isinstance(typed, AllSpec) else typed.any
        if not subs:
            raise PolicyError(f"{where}.{kind} must be a non-empty list of conditions", field=f"{where}.{kind}")
        compiled = tuple(rec(s, f"{where}.{kind}[{i}]") for i, s in enumerate(subs))
        if kind == "all":

            def all_of(ctx: Context) -> bool:
                for c in compiled:
                    if not c(ctx):
                        return False
                return True

            return all_of

        def any_of(ctx: Context) -> bool:
            for c in compiled:
                if c(ctx):
                    return True
            return False

        return any_of

    if isinstance(typed, NotSpec):
        inner = rec(typed.not_, f"{where}.not")
        return lambda ctx: not inner(ctx)

    if isinstance(typed, CategorySpec):
        name = typed.category
        _known_category(name, "category", where, categories)
        lo, hi = _score_bounds(typed, where)
        return lambda ctx: lo <= ctx.category_scores.get(name, 0.0) <= hi if name in ctx.category_scores else lo <= 0.0

    if isinstance(typed, SignalSpec):
        name = typed.signal
        if signals is not None and name not in signals:
            guess = nearest(name, signals)
            raise PolicyError(
                f"{where}.signal names {name!r}, which no configured detector emits; "
                + (f"did you mean `{guess}`? " if guess else "")
                + f"valid signals: {', '.join(sorted(signals))}",
                field=f"{where}.signal",
            )
        lo, hi = _score_bounds(typed, where)
        in_cat = typed.in_category
        if in_cat is not None:
            _known_category(in_cat, "in_category", where, categories)
            pair = (name, in_cat)
            return lambda ctx: pair in ctx.signal_category_scores and lo <= ctx.signal_category_scores[pair] <= hi
        return lambda ctx: name in ctx.signal_scores and lo <= ctx.signal_scores[name] <= hi

    if isinstance(typed, TagsSpec):
        wanted = [typed.tags] if isinstance(typed.tags, str) else list(typed.tags)
        if not wanted:
            raise PolicyError(f"{where}.tags must be a list of tag names", field=f"{where}.tags")
        if tags is not None:
            unknown = [t for t in wanted if t not in tags]
            if unknown:
                guess = nearest(unknown[0], tags)
                raise PolicyError(
                    f"{where}.tags names {unknown[0]!r}, which no configured detector emits; "
                    + (f"did you mean `{guess}`? " if guess else "")
                    + f"valid tags: {', '.join(sorted(tags))}",
                    field=f"{where}.tags",
                )
        count = typed.count
        if count < 1:
            raise PolicyError(f"{where}.count must be a positive integer", field=f"{where}.count")
        cat = typed.in_category
        if cat is not None:
            _known_category(cat, "in_category", where, categories)
        wanted_set = frozenset(wanted)
        if cat is None:
            return lambda ctx: len(wanted_set & ctx.all_tags) >= count
        return lambda ctx: len(wanted_set & ctx.tags.get(cat, frozenset())) >= count

    if isinstance(typed, FactSpec):
        fact = typed.fact
        detector_fact = fact not in FACTS
        if detector_fact and facts is not None and fact not in facts:
            valid = sorted(set(FACTS) | set(facts or ()))
            guess = nearest(fact, valid)
            raise PolicyError(
                f"{where}.fact names unknown fact {fact!r}; " + (f"did you mean `{guess}`? " if guess else "")
                + f"valid facts: {', '.join(valid)}", field=f"{where}.fact"
            )
        given = {op: getattr(typed, _PY_NAMES.get(op, op)) for op in _OPS}
        ops = [op for op, v in given.items() if v is not _UNSET and not (op == "in" and v is None)]
        if len(ops) != 1:
            raise PolicyError(
                f"{where} needs exactly one comparison of: {', '.join(_OPS)}", field=where
            )
        op = ops[0]
        value = given[op]
        compare = _OPS[op]
        if detector_fact:
            # a fact no detector established for this item is unknown: no comparison holds
            return lambda ctx: fact in ctx.facts and compare(ctx.facts[fact], value)
        getter = FACTS[fact]
        return lambda ctx: compare(getter(ctx.item), value)

    assert isinstance(typed, RegexSpec)
    pattern, view = typed.regex, typed.view
    if view not in VIEW_NAMES:
        raise PolicyError(f"{where}.view must be one of: {', '.join(VIEW_NAMES)}; found {view!r}", field=f"{where}.view")
    try:
        options = re2.Options()
        options.max_mem = 8 << 20
        compiled_re = re2.compile(pattern, options)
    except Exception as exc:  # re2 raises its own error type
        raise PolicyError(f"{where}.regex is not a valid RE2 pattern: {exc}", field=f"{where}.regex") from exc
    return lambda ctx: compiled_re.search(ctx.views.get(view).text) is not None
