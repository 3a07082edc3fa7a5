"""Policy documents: load, validate, compile. The version is the hash of the content.

A policy is YAML (see ``khien/data/policy.yaml`` for the published default and
``docs/policy.md`` for the language). Validation names the bad field and lists the valid names.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Mapping

import yaml

from ..errors import PolicyError
from ..model import ACTIONS
from .conditions import Context, compile_condition, required_categories

__all__ = ["Category", "Rule", "Policy", "load_policy", "parse_policy", "TAXONOMY", "default_policy_path"]

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
MODES = ("enforce", "shadow")

_TOP_KEYS = {"policy", "appeal", "detectors", "categories", "rules"}
_CATEGORY_KEYS = {"title", "definition", "clause", "report_threshold", "severity", "dsa_category", "not_reported_when",
                  "support"}
_RULE_KEYS = {"id", "description", "category", "when", "action", "mode", "clause"}


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

    def clauses(self) -> dict[str, str]:
        """Clause number → category name, as published."""
        return {c.clause: c.name for c in self.categories.values()}


def default_policy_path() -> Path:
    return Path(str(resources.files("khien.data").joinpath("policy.yaml")))


def _require(mapping: Mapping[str, Any], key: str, where: str, kind: type | tuple[type, ...], what: str) -> Any:
    if key not in mapping:
        raise PolicyError(f"{where}.{key} is required ({what})", field=f"{where}.{key}")
    value = mapping[key]
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise PolicyError(f"{where}.{key} must be {what}, found {value!r}", field=f"{where}.{key}")
    return value


def _bilingual(mapping: Mapping[str, Any], key: str, where: str) -> dict[str, str]:
    value = _require(mapping, key, where, dict, "a mapping with 'vi' and 'en' texts")
    for lang in ("vi", "en"):
        if not isinstance(value.get(lang), str) or not value[lang].strip():
            raise PolicyError(f"{where}.{key}.{lang} is required (a non-empty text)", field=f"{where}.{key}.{lang}")
    return {"vi": value["vi"].strip(), "en": value["en"].strip()}


def _unknown(mapping: Mapping[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(mapping) - allowed)
    if extra:
        raise PolicyError(
            f"{where} has unknown field {extra[0]!r}; valid fields: {', '.join(sorted(allowed))}", field=f"{where}.{extra[0]}"
        )


def content_hash(document: Mapping[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def parse_policy(
    document: Any,
    *,
    signals: set[str] | None = None,
    tags: set[str] | None = None,
    facts: set[str] | None = None,
) -> Policy:
    """Validate and compile a decoded policy document.

    ``signals`` and ``tags`` are what the assembled detectors can emit; when given, rules naming
    anything else fail here, at load time, not silently at run time.
    """
    if not isinstance(document, Mapping):
        raise PolicyError("a policy must be a YAML mapping with 'policy', 'categories' and 'rules'")
    _unknown(document, _TOP_KEYS, "policy file")
    meta = _require(document, "policy", "policy file", dict, "a mapping with 'name' and 'description'")
    name = _require(meta, "name", "policy", str, "a text")
    description = str(meta.get("description", ""))
    appeal = _bilingual(document, "appeal", "policy file")

    raw_cats = _require(document, "categories", "policy file", dict, "a mapping of category name to definition")
    deferred: dict[str, Any] = {}
    categories: dict[str, Category] = {}
    for cname, spec in raw_cats.items():
        where = f"categories.{cname}"
        if cname not in TAXONOMY:
            raise PolicyError(
                f"{where}: unknown category {cname!r}; valid categories: {', '.join(TAXONOMY)}", field=where
            )
        if not isinstance(spec, Mapping):
            raise PolicyError(f"{where} must be a mapping", field=where)
        _unknown(spec, _CATEGORY_KEYS, where)
        threshold = spec.get("report_threshold", 0.5)
        if not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:
            raise PolicyError(f"{where}.report_threshold must be a number between 0 and 1", field=f"{where}.report_threshold")
        severity = spec.get("severity", 1)
        if not isinstance(severity, int) or not 0 <= severity <= 10:
            raise PolicyError(f"{where}.severity must be an integer from 0 to 10", field=f"{where}.severity")
        categories[cname] = Category(
            name=cname,
            title=_bilingual(spec, "title", where),
            definition=_bilingual(spec, "definition", where),
            clause=str(_require(spec, "clause", where, (str, int, float), "the clause number, e.g. '2.1'")),
            report_threshold=float(threshold),
            severity=severity,
            dsa_category=str(spec.get("dsa_category", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC")),
            support=_bilingual(spec, "support", where) if "support" in spec else None,
        )
        if "not_reported_when" in spec:
            deferred[cname] = spec["not_reported_when"]
    for cname, cond in deferred.items():
        compiled = compile_condition(
            cond, f"categories.{cname}.not_reported_when", categories=set(categories), signals=signals, tags=tags, facts=facts
        )
        c = categories[cname]
        categories[cname] = Category(
            c.name, c.title, c.definition, c.clause, c.report_threshold, c.severity, c.dsa_category, compiled, c.support
        )

    detectors = document.get("detectors", {})
    if not isinstance(detectors, Mapping) or not all(isinstance(v, (Mapping, type(None))) for v in detectors.values()):
        raise PolicyError("policy file.detectors must map detector names to their config mappings", field="detectors")

    raw_rules = _require(document, "rules", "policy file", list, "a list of rules")
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, spec in enumerate(raw_rules):
        where = f"rules[{i}]"
        if not isinstance(spec, Mapping):
            raise PolicyError(f"{where} must be a mapping", field=where)
        _unknown(spec, _RULE_KEYS, where)
        rid = _require(spec, "id", where, str, "a unique text id, e.g. 'scam.recruitment-task'")
        where = f"rules[{i}] ({rid})"
        if rid in seen:
            raise PolicyError(f"{where}: duplicate rule id {rid!r}", field=f"rules[{i}].id")
        seen.add(rid)
        desc = _require(spec, "description", where, str, "a text saying what the rule catches")
        cat = _require(spec, "category", where, str, "the category the rule enforces")
        if cat not in categories:
            raise PolicyError(
                f"{where}.category {cat!r} is not defined in this policy; valid categories: {', '.join(categories)}",
                field=f"rules[{i}].category",
            )
        action = _require(spec, "action", where, str, f"one of {', '.join(ACTIONS)}")
        if action not in ACTIONS:
            raise PolicyError(f"{where}.action must be one of: {', '.join(ACTIONS)}; found {action!r}", field=f"rules[{i}].action")
        mode = spec.get("mode", "enforce")
        if mode not in MODES:
            raise PolicyError(f"{where}.mode must be one of: {', '.join(MODES)}; found {mode!r}", field=f"rules[{i}].mode")
        clause = str(spec.get("clause", categories[cat].clause))
        when_spec = _require(spec, "when", where, dict, "a condition")
        when = compile_condition(
            when_spec,
            f"rules[{i}].when",
            categories=set(categories),
            signals=signals,
            tags=tags,
            facts=facts,
        )
        rules.append(Rule(rid, desc.strip(), cat, action, mode, clause, when, required_categories(when_spec)))

    return Policy(
        name=name,
        version=content_hash(document),
        description=description,
        categories=categories,
        rules=tuple(rules),
        detectors={k: dict(v or {}) for k, v in detectors.items()},
        appeal=appeal,
        document=document,
    )


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
