"""Khiên: a trust-and-safety engine for Vietnamese-language platforms."""

from .engine import Engine, Explanation
from .errors import KhienError
from .model import Account, CategoryFinding, Decision, Evidence, Item, Signal

__version__ = "0.1.0"

__all__ = [
    "Account",
    "CategoryFinding",
    "Decision",
    "Engine",
    "Evidence",
    "Explanation",
    "Item",
    "KhienError",
    "Signal",
    "__version__",
]
