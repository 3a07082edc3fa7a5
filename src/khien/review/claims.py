"""The fact-check service (issue 15): import, list, show, retire, trusted publishers, match.

Every write records a declared audit event (:mod:`khien.audit.events`, ``claims.*``). Matching
reads the live fact-checks of the publishers the platform trusts (table ``claim_publishers``:
trusting is an admin's audited decision, not a deployment setting) and builds a
:class:`~khien.claims.Matcher` over them; the caller keeps the matcher while the fact-checks do
not change (:func:`matcher` builds a new one; the detector of a later round will hold one per
process and rebuild it after an import).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..audit import AuditEvent, record_many
from ..audit import events as ev
from ..claims import FactCheck, Match, Matcher, Parsed, RecordError, parse_document
from ..clock import SYSTEM, Clock, iso
from ..errors import ConflictError, InputError, NotFoundError
from ..store import Tx
from ..store import claims as rows
from ..store.claims import StoredFactCheck, TrustedPublisher
from .actor import Actor

__all__ = ["ImportResult", "import_document", "import_fact_checks", "list_fact_checks", "show", "retire",
           "trust", "untrust", "trusted_publishers", "matcher", "match", "StoredFactCheck", "TrustedPublisher"]

MAX_K = 50


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did: ids added, updated (a field changed) and unchanged; records refused."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]
    errors: tuple[RecordError, ...]
    trusted: tuple[str, ...] = ()  # publishers newly trusted by this import (``trust_publishers``)


def import_document(tx: Tx, actor: Actor, name: str, data: bytes, *, publisher: str | None = None,
                    trust_publishers: bool = False, clock: Clock = SYSTEM) -> ImportResult:
    """Parse a ClaimReview JSON-LD / JSONL / CSV document (by ``name``'s ending) and import it."""
    parsed = parse_document(name, data, publisher=publisher)
    return import_fact_checks(tx, actor, parsed, source=name, trust_publishers=trust_publishers, clock=clock)


def import_fact_checks(tx: Tx, actor: Actor, parsed: Parsed, *, source: str, trust_publishers: bool = False,
                       clock: Clock = SYSTEM) -> ImportResult:
    """Store the fact-checks read (new ones added, changed ones updated), with one audit event.

    A record whose id appears twice in one document is kept once (the last one wins, as a later
    line of a feed corrects an earlier one). Retired fact-checks stay retired when re-imported.
    """
    latest: dict[str, FactCheck] = {}
    for fc in parsed.fact_checks:
        latest[fc.id] = fc
    existing = rows.get_many(tx, list(latest))
    new = [fc for i, fc in latest.items() if i not in existing]
    changed, same = [], []
    for i, fc in latest.items():
        if i in existing:
            before = existing[i].fact_check
            (same if _same(before, fc) else changed).append(fc)
    when = iso(clock.now())
    rows.upsert(tx, new, changed, actor=actor.name, when=when)
    publishers = sorted({fc.publisher.name for fc in latest.values()})
    events = [AuditEvent(actor.name, f"fact_checks:{source[-200:]}", ev.FactChecksImported(
        added=len(new), updated=len(changed), unchanged=len(same), refused=len(parsed.errors),
        publishers=tuple(publishers)))]
    trusted: list[str] = []
    if trust_publishers:
        urls = {fc.publisher.name: fc.publisher.url for fc in latest.values()}
        for name in publishers:
            made = rows.trust(tx, name, urls.get(name), actor=actor.name, when=when)
            if made is not None:
                trusted.append(made.name)
                events.append(AuditEvent(actor.name, f"claim_publisher:{made.id}",
                                         ev.ClaimPublisherTrusted(name=made.name)))
    record_many(tx, events, time=when)
    return ImportResult(tuple(fc.id for fc in new), tuple(fc.id for fc in changed), tuple(fc.id for fc in same),
                        parsed.errors, tuple(trusted))


def _same(before: FactCheck, after: FactCheck) -> bool:
    # ``retired`` is the store's state, not the file's: compare the record fields only.
    return replace(before, retired=False) == replace(after, retired=False)


def list_fact_checks(tx: Tx, *, include_retired: bool = False, publisher: str | None = None,
                     limit: int | None = None) -> list[StoredFactCheck]:
    """Fact-checks, newest review first."""
    return rows.list_fact_checks(tx, include_retired=include_retired, publisher=publisher, limit=limit)


def show(tx: Tx, fact_check_id: str) -> StoredFactCheck:
    """One fact-check; NotFoundError when there is none with that id."""
    found = rows.get_many(tx, [fact_check_id]).get(fact_check_id)
    if found is None:
        raise NotFoundError(f"no fact-check with id {fact_check_id!r}", hint="'khien claims list' shows the ids.")
    return found


def retire(tx: Tx, actor: Actor, fact_check_id: str, *, clock: Clock = SYSTEM) -> StoredFactCheck:
    """Take a fact-check out of matching (its row stays: decisions that linked it still name it)."""
    found = show(tx, fact_check_id)
    when = iso(clock.now())
    if not rows.retire(tx, fact_check_id, actor=actor.name, when=when):
        raise ConflictError(f"fact-check {fact_check_id!r} is already retired")
    record_many(tx, [AuditEvent(actor.name, f"fact_check:{fact_check_id}",
                                ev.FactCheckRetired(publisher=found.fact_check.publisher.name))], time=when)
    return show(tx, fact_check_id)


def trust(tx: Tx, actor: Actor, name: str, url: str | None = None, *, clock: Clock = SYSTEM) -> TrustedPublisher:
    """Trust a publisher: its live fact-checks are matched. 409 when it is trusted already."""
    name = " ".join(name.split())
    if not name or len(name) > 300:
        raise InputError("field 'name' must be 1 to 300 characters", field="name")
    when = iso(clock.now())
    made = rows.trust(tx, name, url, actor=actor.name, when=when)
    if made is None:
        raise ConflictError(f"publisher {name!r} is trusted already")
    record_many(tx, [AuditEvent(actor.name, f"claim_publisher:{made.id}", ev.ClaimPublisherTrusted(name=made.name))],
                time=when)
    return made


def untrust(tx: Tx, actor: Actor, name: str, *, clock: Clock = SYSTEM) -> TrustedPublisher:
    """Stop trusting a publisher (its fact-checks stay stored, and are no longer matched)."""
    gone = rows.untrust(tx, name)
    if gone is None:
        raise NotFoundError(f"no trusted publisher named {name!r}", hint="'khien claims publishers' lists them.")
    record_many(tx, [AuditEvent(actor.name, f"claim_publisher:{gone.id}", ev.ClaimPublisherUntrusted(name=gone.name))],
                time=iso(clock.now()))
    return gone


def trusted_publishers(tx: Tx) -> list[TrustedPublisher]:
    return rows.trusted_publishers(tx)


def match(matcher: Matcher | None, text: str, k: int = 5) -> list[Match]:
    """The ``k`` best fact-checks for ``text`` by ``matcher`` (the live one of
    :class:`~khien.review.claims_live.LiveClaims`: what ``claims.v1`` decides with); none without one."""
    if not 1 <= k <= MAX_K:
        raise InputError(f"k must be from 1 to {MAX_K}, found {k}", field="k")
    if not text.strip():
        raise InputError("the text to match is empty", field="text")
    return matcher.match(text, k) if matcher is not None else []
