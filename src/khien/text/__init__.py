"""Vietnamese text normalisation: views of a text, each with an offset map to the original."""

from .offsets import OffsetMap
from .views import VIEW_NAMES, View, Views, canonical_text, fold_accents, views

__all__ = ["OffsetMap", "VIEW_NAMES", "View", "Views", "canonical_text", "fold_accents", "views"]
