"""Policy as data: schema, validation, compilation, evaluation and statements of reasons."""

from .accounts import (AccountStanding, AccountVerdict, Strike, account_action, active_strikes, new_strike,
                       standing)
from .evaluate import evaluate, findings_from_signals
from .reasons import dsa_fields, statement_of_reasons
from .schema import (TAXONOMY, AccountPolicy, AccountRule, Category, Policy, Rule, StrikeRule, default_policy_path,
                     load_policy, parse_policy, read_policy_document)

__all__ = [
    "TAXONOMY",
    "AccountPolicy",
    "AccountRule",
    "AccountStanding",
    "AccountVerdict",
    "Strike",
    "StrikeRule",
    "account_action",
    "active_strikes",
    "new_strike",
    "standing",
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
