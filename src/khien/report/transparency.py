"""A minimal transparency report: counts by category, action, automated or human, appeal outcome,
reversals, and legal requests. It reads the audit log and nothing else, so what it reports is what
the hash chain vouches for.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import orjson

from ..store import Store
from ..store import audit as rows

__all__ = ["transparency_report"]

_TYPES = ("decision.automated", "case.decided", "appeal.submitted", "appeal.decided", "legal_request.created",
          "legal_request.action", "legal_request.completed")


def _since(time: str, since: str | None, until: str | None) -> bool:
    return (since is None or time >= since) and (until is None or time < until)


def transparency_report(store: Store, *, since: str | None = None, until: str | None = None) -> dict[str, Any]:
    """Counts over the events in [since, until) (ISO-8601 UTC; both optional)."""
    by_action = {"automated": Counter(), "human": Counter()}
    by_category: dict[str, Counter] = defaultdict(Counter)
    appeals = Counter()
    appeal_by_origin = Counter()
    legal = {"requests": 0, "by_authority": Counter(), "by_requested_action": Counter(), "items": 0,
             "actions_taken": Counter(), "complied": 0, "not_complied": 0, "completed": 0}
    with store.read() as tx:
        for ev in rows.iter_all(tx, types=_TYPES):
            if not _since(ev["time"], since, until):
                continue
            p = orjson.loads(ev["payload"])
            kind = ev["type"]
            if kind == "decision.automated":
                by_action["automated"][p["action"]] += 1
                if p.get("category"):
                    by_category[p["category"]][f"automated:{p['action']}"] += 1
                for name in p.get("categories", []):
                    by_category[name]["detected"] += 1
            elif kind == "case.decided":
                by_action["human"][p["action"]] += 1
                if p.get("category"):
                    by_category[p["category"]][f"human:{p['action']}"] += 1
            elif kind == "appeal.submitted":
                appeals["submitted"] += 1
            elif kind == "appeal.decided":
                appeals[p["outcome"]] += 1
                appeal_by_origin[f"{'automated' if p.get('original_automated') else 'human'}:{p['outcome']}"] += 1
            elif kind == "legal_request.created":
                legal["requests"] += 1
                legal["by_authority"][p["authority"]] += 1
                legal["by_requested_action"][p["requested_action"]] += 1
                legal["items"] += int(p.get("items", 0))
            elif kind == "legal_request.action":
                legal["actions_taken"][p["action"]] += 1
                legal["complied" if p.get("complied") else "not_complied"] += 1
            elif kind == "legal_request.completed":
                legal["completed"] += 1
    decided = appeals["upheld"] + appeals["reversed"]
    return {
        "period": {"since": since, "until": until},
        "decisions": {
            "automated": dict(by_action["automated"]),
            "human": dict(by_action["human"]),
            "total": sum(by_action["automated"].values()) + sum(by_action["human"].values()),
        },
        "categories": {name: dict(c) for name, c in sorted(by_category.items())},
        "appeals": {
            "submitted": appeals["submitted"], "decided": decided, "upheld": appeals["upheld"],
            "reversed": appeals["reversed"], "reversal_rate": round(appeals["reversed"] / decided, 4) if decided else None,
            "by_original_decision": dict(appeal_by_origin),
        },
        "legal_requests": {k: dict(v) if isinstance(v, Counter) else v for k, v in legal.items()},
        "source": "audit log",
    }
