"""The Detector protocol: what every detector, built-in or third-party, provides.

A detector reads prepared items (the item and its text views) and returns, for each item, the
signals it found. It never decides. Built-in detectors register through the same entry-point group
(``khien.detectors``) as third-party ones.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping, Protocol, Sequence, TypeVar, runtime_checkable

from ..errors import DetectorError
from ..model import Item, Signal
from ..strict import parse
from ..text.links import Contact, Link, find_contacts, find_links
from ..text.views import Views, views

__all__ = ["Prepared", "Detector", "Example", "DetectorInfo", "configure", "MAX_EVIDENCE", "cap_evidence"]

C = TypeVar("C")

# Most evidence spans one signal keeps. A decision quotes a dozen at most; without a cap a 1 MB text
# of repeated scam words would carry tens of thousands of spans through evaluation and into the
# decision's facts. The engine applies it once to every detector's output (:func:`cap_evidence`).
MAX_EVIDENCE = 50


def cap_evidence(signal: Signal, limit: int = MAX_EVIDENCE) -> Signal:
    """``signal`` with at most ``limit`` evidence spans, the detector's first ones, in its order.

    Scores are the detector's and are left alone: the cap bounds what is carried, not what was
    found. ``details["evidence_total"]`` records how many spans there were when some are dropped.
    """
    if len(signal.evidence) <= limit:
        return signal
    return dataclasses.replace(signal, evidence=signal.evidence[:limit],
                               details={**signal.details, "evidence_total": len(signal.evidence)})


@dataclass(slots=True)
class Prepared:
    """An item with what several detectors read (text views, links) computed once and shared."""

    item: Item
    _views: Views | None = field(default=None, repr=False)
    _links: list[Link] | None = field(default=None, repr=False)
    _contacts: list[Contact] | None = field(default=None, repr=False)

    @property
    def views(self) -> Views:
        if self._views is None:
            self._views = views(self.item.text)
        return self._views

    @property
    def links(self) -> list[Link]:
        """Links in the text (defanged ones included), found once for every detector that reads them."""
        if self._links is None:
            self._links = find_links(self.views.nfc)
        return self._links

    @property
    def contacts(self) -> list[Contact]:
        """Phone numbers, bank accounts, handles and e-mails in the text, found once for the
        contacts detector and the campaign stage."""
        if self._contacts is None:
            self._contacts = find_contacts(self.views.nfc, self.views.folded)
        return self._contacts


@dataclass(frozen=True, slots=True)
class Example:
    """A detector's own example: a text and the categories it must (or must not) emit for it."""

    text: str
    emits: tuple[str, ...] = ()
    not_emits: tuple[str, ...] = ()
    author: Mapping[str, Any] | None = None


@runtime_checkable
class Detector(Protocol):
    """What the engine needs from a detector.

    - ``name``: unique and versioned (``lexicon.v1``); bump the version when behaviour changes.
    - ``requires``: the views it reads (names from :data:`khien.text.VIEW_NAMES`).
    - ``emits``: the categories it may produce.
    - ``signals``: the signal names (``Signal.detector``) it may produce; policies may name them.
    - ``examples``: texts with the categories they must produce, run by the conformance test.
    - ``detect_batch``: one list of signals per prepared item, in order.
    """

    name: str
    requires: tuple[str, ...]
    emits: tuple[str, ...]

    @property
    def signals(self) -> tuple[str, ...]: ...

    @property
    def examples(self) -> tuple[Example, ...]: ...

    def detect_batch(self, batch: Sequence[Prepared]) -> list[list[Signal]]: ...


@dataclass(frozen=True, slots=True)
class DetectorInfo:
    """A registered detector factory and where it came from."""

    name: str
    factory: Any
    source: str = "builtin"
    config_keys: ClassVar[tuple[str, ...]] = ()


def configure(cls: type[C], name: str, config: Any, options: Mapping[str, Any]) -> C:
    """A detector's ``Config`` from what its constructor was given, checked like the policy's.

    The registry passes an already parsed ``Config``; code that builds a detector directly may
    pass a mapping or keyword options (``ContactsDetector(blocklist=[...])``). All three go through
    :func:`khien.strict.parse`, so a typo fails the same way everywhere, naming
    ``detectors.NAME.key``.
    """
    if isinstance(config, cls) and not options:
        return config
    if isinstance(config, cls):
        mapping = {f.name: getattr(config, f.name) for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    else:
        mapping = dict(config or {})
    mapping.update(options)
    return parse(cls, mapping, f"detectors.{name}", error=DetectorError)
