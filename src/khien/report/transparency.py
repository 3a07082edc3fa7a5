"""A transparency report: counts by category, action, automated or human, appeal outcome,
reversals, legal requests, user and trusted-flagger reports (received and acted on, by category and
source, median time to action, mass-report rings detected) and account actions by type. It reads the audit log and nothing else, so what it reports is what
the hash chain vouches for.

It also names the latest signed checkpoint of the chain (``khien audit checkpoint`` records a copy of
each as an ``audit.checkpoint`` event): its ``seq``, ``hash``, ``time`` and signer ``public_key``, and
whether it ``covers_report`` (every event counted here is at or below its ``seq``). A reader holding
the published public key and the checkpoint file can then check with ``khien audit verify
--checkpoint`` that the events behind these figures were not rewritten since. The copy in the
database is only a pointer: the checkpoint file kept outside it is what verification trusts.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from typing import Any

from ..audit import events as ev
from ..audit import iter_events
from ..store import Store

__all__ = ["transparency_report", "READS"]

# The events this report counts; every other declared event is ``stored_only`` or read by the console.
READS: tuple[type[ev.Event], ...] = (ev.DecisionAutomated, ev.CaseDecided, ev.AppealSubmitted, ev.AppealDecided,
                                     ev.LegalRequestCreated, ev.LegalRequestAction, ev.LegalRequestCompleted,
                                     ev.AuditCheckpointed, ev.ReportsReceived, ev.ReportAnswered, ev.RingDetected,
                                     ev.AccountDecided, ev.CampaignMemberDecided)


class _Notices:
    """Notice and action: reports received and answered by category and source, time to action,
    mass-report rings, and account actions by type."""

    def __init__(self) -> None:
        self.received = Counter()  # total, users, flaggers, suspicious
        self.received_by_category: Counter[str] = Counter()
        self.answered: dict[str, Counter[str]] = defaultdict(Counter)  # source → upheld / rejected
        self.acted_by_category: dict[str, Counter[str]] = defaultdict(Counter)  # category → source → upheld
        self.waits: list[float] = []  # seconds from report to an answer that acted on it
        self.rings: set[str] = set()
        self.account_actions: Counter[str] = Counter()
        self.account_sources: Counter[str] = Counter()

    def count(self, event: ev.Event, subject: str) -> None:
        match event:
            case ev.ReportsReceived():
                self.received.update(total=event.count, users=event.users, flaggers=event.flaggers,
                                     suspicious=event.suspicious)
                self.received_by_category.update(event.by_category)
            case ev.ReportAnswered():
                if event.appeal is not None:  # a reporter's contest answered again: counted once, here
                    self.answered[event.source]["answered_again_on_appeal"] += 1
                    return
                self.answered[event.source][event.state] += 1
                if event.state == "upheld":
                    self.acted_by_category[event.category][event.source] += 1
                    if event.waited_s is not None:
                        self.waits.append(event.waited_s)
                if event.suspicious:
                    self.answered[event.source]["suspicious"] += 1
            case ev.RingDetected():
                self.rings.add(subject)  # one ring may be announced by several processes: counted once
            case ev.AccountDecided():
                self.account_actions[event.action] += 1
                self.account_sources[event.source] += 1

    def reports(self, *, authorities: int) -> dict[str, Any]:
        waits = sorted(self.waits)
        return {
            "received": {"total": self.received["total"], "users": self.received["users"],
                         "trusted_flaggers": self.received["flaggers"], "authorities": authorities,
                         "suspicious": self.received["suspicious"],
                         "by_category": dict(sorted(self.received_by_category.items()))},
            "answered": {source: dict(c) for source, c in sorted(self.answered.items())},
            "acted_on_by_category": {name: dict(c) for name, c in sorted(self.acted_by_category.items())},
            "median_hours_to_action": round(statistics.median(waits) / 3600, 2) if waits else None,
            "mass_report_rings_detected": len(self.rings),
        }

    def accounts(self) -> dict[str, Any]:
        actioned = {a: n for a, n in sorted(self.account_actions.items()) if a != "allow"}
        return {"actioned_by_type": actioned, "actioned": sum(actioned.values()),
                "lifted_or_no_action": self.account_actions["allow"],
                "by_source": dict(sorted(self.account_sources.items()))}


def _since(time: str, since: str | None, until: str | None) -> bool:
    return (since is None or time >= since) and (until is None or time < until)


def transparency_report(store: Store, *, since: str | None = None, until: str | None = None) -> dict[str, Any]:
    """Counts over the events in [since, until) (ISO-8601 UTC; both optional)."""
    by_action = {"automated": Counter(), "human": Counter(), "human_in_campaigns": Counter()}
    by_category: dict[str, Counter] = defaultdict(Counter)
    appeals = Counter()
    appeal_by_origin = Counter()
    legal = {"requests": 0, "by_authority": Counter(), "by_requested_action": Counter(), "items": 0,
             "actions_taken": Counter(), "complied": 0, "not_complied": 0, "completed": 0}
    notices = _Notices()
    checkpoint: ev.AuditCheckpointed | None = None
    last_counted = 0
    for stored in iter_events(store, types=tuple(cls.type for cls in READS)):
        event = stored.event
        if isinstance(event, ev.AuditCheckpointed):
            checkpoint = event  # the latest one, whatever the period: it vouches for everything before it
            continue
        if not _since(stored.time, since, until):
            continue
        last_counted = stored.seq
        match event:
            case ev.DecisionAutomated():
                by_action["automated"][event.action] += 1
                if event.category:
                    by_category[event.category][f"automated:{event.action}"] += 1
                for name in event.categories:
                    by_category[name]["detected"] += 1
            case ev.CaseDecided() | ev.CampaignMemberDecided():
                # a bulk decision on a campaign is one human decision per member item
                by_action["human"][event.action] += 1
                if event.category:
                    by_category[event.category][f"human:{event.action}"] += 1
                if isinstance(event, ev.CampaignMemberDecided):
                    by_action["human_in_campaigns"][event.action] += 1
            case ev.AppealSubmitted():
                appeals["submitted"] += 1
            case ev.AppealDecided():
                appeals[event.outcome] += 1
                origin = "automated" if event.original_automated else "human"
                appeal_by_origin[f"{origin}:{event.outcome}"] += 1
            case ev.LegalRequestCreated():
                legal["requests"] += 1
                legal["by_authority"][event.authority] += 1
                legal["by_requested_action"][event.requested_action] += 1
                legal["items"] += event.items
            case ev.LegalRequestAction():
                legal["actions_taken"][event.action] += 1
                legal["complied" if event.complied else "not_complied"] += 1
            case ev.LegalRequestCompleted():
                legal["completed"] += 1
            case ev.ReportsReceived() | ev.ReportAnswered() | ev.RingDetected() | ev.AccountDecided():
                notices.count(event, stored.subject)
    decided = appeals["upheld"] + appeals["reversed"]
    return {
        "period": {"since": since, "until": until},
        "decisions": {
            "automated": dict(by_action["automated"]),
            "human": dict(by_action["human"]),
            "human_in_campaigns": dict(by_action["human_in_campaigns"]),  # of "human": bulk decisions on campaigns
            "total": sum(by_action["automated"].values()) + sum(by_action["human"].values()),
        },
        "categories": {name: dict(c) for name, c in sorted(by_category.items())},
        "appeals": {
            "submitted": appeals["submitted"], "decided": decided, "upheld": appeals["upheld"],
            "reversed": appeals["reversed"], "reversal_rate": round(appeals["reversed"] / decided, 4) if decided else None,
            "by_original_decision": dict(appeal_by_origin),
        },
        "legal_requests": {k: dict(v) if isinstance(v, Counter) else v for k, v in legal.items()},
        "reports": notices.reports(authorities=legal["requests"]),
        "accounts": notices.accounts(),
        "checkpoint": None if checkpoint is None else {
            "seq": checkpoint.seq, "hash": checkpoint.hash, "time": checkpoint.signed_at,
            "public_key": checkpoint.public_key, "covers_report": last_counted <= checkpoint.seq},
        "source": "audit log",
    }
