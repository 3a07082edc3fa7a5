"""Policy as data: schema, validation, compilation, evaluation and statements of reasons."""

from .evaluate import evaluate, findings_from_signals
from .reasons import dsa_fields, statement_of_reasons
from .schema import TAXONOMY, Category, Policy, Rule, default_policy_path, load_policy, parse_policy, read_policy_document

__all__ = [
    "TAXONOMY",
    "Category",
    "Policy",
    "Rule",
    "default_policy_path",
    "dsa_fields",
    "evaluate",
    "findings_from_signals",
    "load_policy",
    "parse_policy",
    "read_policy_document",
    "statement_of_reasons",
]
