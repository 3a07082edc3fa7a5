"""``khien scan --db``: the authors a scan finds imitating a protected entity become account cases,
and the posts ``claims.v1`` labels or sends to review are recorded (fact-check cases).

The same service path as ``khien impersonation --db`` (``review.accounts.impersonation_findings``:
origin ``account:impersonation:finding:N``, the entity and the evidence in the
``account.case_opened`` event, one open impersonation case per account, priority by the policy the
engine decided with). The fact-check decisions go through ``review.claim_cases.record`` (the path
of ``khien stream --db``: item stored, decision recorded once, a ``review`` decision opens its case);
only those come back from the workers, so a scan of a million lines writes a few rows, not a million.
Imported only when ``--db`` is given, so a plain scan loads no database code.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Sequence

from ..impersonation.findings import AuthorFinding
from ..model import Decision, Item
from ..policy import Policy
from ..review import accounts, claim_cases, open_store

CLI_ACTOR = "cli"


class ScanCases:
    """Opens the cases batch by batch, in one transaction per batch, and counts what it did.

    ``platform`` names the platform of items whose record names none; a finding with neither, or
    whose author has no ``id``, is ``skipped``. An account found again later in the same run is
    not sent twice (its case was opened, or counted as already open, the first time).
    """

    def __init__(self, url: str, policy: Policy, platform: str | None = None) -> None:
        self.policy = policy
        self.platform = platform
        self.opened = self.already = self.skipped = 0
        self.fact_checks = claim_cases.Recorded()
        # the decisions a batch brings back to be recorded: claims.v1's only (khien.run.local keep=)
        self.keep: Callable[[Decision], bool] = claim_cases.fact_check_decisions(policy)
        self._seen: set[tuple[str, str]] = set()
        # open (and upgrade) the database before the first line is decided: a bad URL fails at once
        self._store = open_store(url, upgrade=True)

    def add(self, findings: tuple[AuthorFinding, ...]) -> None:
        """Open the account cases of one batch's findings (call after the batch's lines are written)."""
        by_platform: dict[str, list[accounts.Finding]] = {}
        for found in findings:
            platform = found.platform or self.platform
            if not platform or not found.author.id:
                self.skipped += 1
                continue
            key = (platform, found.author.id)
            if key in self._seen:
                continue
            self._seen.add(key)
            by_platform.setdefault(platform, []).append(accounts.Finding(
                account=found.author, entity=found.entity, score=found.score, evidence=found.evidence))
        if not by_platform:
            return
        with self._store.write() as tx:
            for platform, group in by_platform.items():
                done = accounts.impersonation_findings(tx, self.policy, platform, group, actor=CLI_ACTOR)
                self.opened += len(done.opened)
                self.already += done.already_open

    def add_decided(self, pairs: Sequence[tuple[Item, Decision]]) -> None:
        """Record one batch's fact-check decisions (``keep``'s), in one transaction; an item whose
        record names no platform takes ``platform`` (none: recorded without one, as the API does)."""
        if not pairs:
            return
        if self.platform:
            pairs = [(dataclasses.replace(i, platform=self.platform) if not i.platform else i, d) for i, d in pairs]
        with self._store.write() as tx:
            self.fact_checks += claim_cases.record(tx, self.policy, pairs)

    def summary(self) -> str:
        fc = self.fact_checks
        return (f"khien scan: {self.opened:,} account cases opened, {self.already:,} accounts already had an open "
                f"impersonation case, {self.skipped:,} impersonation findings skipped (no platform or no author id)\n"
                f"khien scan: fact-check cases: {fc.cases_opened:,} opened, {fc.labelled:,} labelled posts recorded, "
                f"{fc.already:,} fact-check decisions already recorded")
