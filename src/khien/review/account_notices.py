"""Account decisions as :class:`~khien.model.Decision` values: the statement of reasons a person's
account decision and a lifted one carry, and their DSA fields. Pure: no database, no clock.

The ladder's own statement (strikes → action) is :func:`khien.policy.accounts.account_statement`;
this module words the decisions a moderator makes on an account case and those that lift an action
on appeal, in the same shape (action and its end, the clause, the items, how to appeal).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ..clock import iso
from ..enums import AccountAction, Action, values
from ..model import CategoryFinding, Decision
from ..policy import Policy
from ..policy.accounts import ACCOUNT_ACTION_WORDS

__all__ = ["account_decision", "case_statement", "lifted_statement", "account_dsa", "NOT_AUTOMATED",
           "PARTIALLY_AUTOMATED"]

# DSA statement-of-reasons "decision_account" for actions on the account itself.
_DSA_ACCOUNT = {AccountAction.SUSPEND: "DECISION_ACCOUNT_SUSPENDED", AccountAction.BAN: "DECISION_ACCOUNT_TERMINATED"}
# DSA "automated_decision": a moderator's own account decision is not automated; the ladder's is
# partially automated (a published rule took it, over strikes each upheld by a person).
NOT_AUTOMATED, PARTIALLY_AUTOMATED = "AUTOMATED_DECISION_NOT_AUTOMATED", "AUTOMATED_DECISION_PARTIALLY"


def _when(ts: float) -> str:
    return iso(ts)[:16].replace("T", " ") + " UTC"


def case_statement(policy: Policy, action: str, *, category: str | None, clause: str | None,
                   until: float | None, duration_days: int | None, items: Sequence[str],
                   entity: str | None, note: str | None) -> dict[str, str]:
    """The notice ``{"vi", "en"}`` of a moderator's decision on an account case."""
    if action == Action.ALLOW:
        vi = "Người kiểm duyệt đã xem xét tài khoản của bạn và không áp dụng biện pháp nào."
        en = "A moderator reviewed your account and took no action."
    else:
        act = AccountAction(action)
        words = ACCOUNT_ACTION_WORDS[act]
        if act in (AccountAction.WARN, AccountAction.BAN):
            span_vi = span_en = ""
        elif until is None:
            span_vi, span_en = " cho đến khi người kiểm duyệt gỡ bỏ", " until a moderator lifts it"
        else:
            span_vi, span_en = f" {duration_days} ngày, đến {_when(until)}", f" for {duration_days} days, until {_when(until)}"
        cat = policy.categories.get(category or "")
        title_vi, title_en = (cat.title["vi"], cat.title["en"]) if cat else ("", "")
        vi = (f"Tài khoản của bạn bị {words['vi']}{span_vi} sau khi người kiểm duyệt xem xét, theo điều {clause} "
              f"({title_vi}) của chính sách {policy.name}.")
        en = (f"Your account has been {words['en']}{span_en} after review by a human moderator, under clause "
              f"{clause} ({title_en}) of the {policy.name} policy.")
        if entity:
            vi += f" Tài khoản giả danh {entity}."
            en += f" The account imitates {entity}."
        vi += f" Nội dung liên quan: {', '.join(items)}." if items else " Không có nội dung cụ thể nào được nêu."
        en += f" Items: {', '.join(items)}." if items else " No particular item is named."
    if note:
        vi += f" Ghi chú của người kiểm duyệt: {_sentence(note)}"
        en += f" Note from the moderator: {_sentence(note)}"
    if action != Action.ALLOW:
        vi, en = f"{vi} {policy.appeal['vi']}", f"{en} {policy.appeal['en']}"
    return {"vi": vi, "en": en}


def _sentence(note: str) -> str:
    """A moderator's note as a sentence, so the appeal text that may follow starts a new one."""
    note = note.strip()
    return note if note.endswith((".", "!", "?", "…")) else note + "."


def lifted_statement(original_action: str, strikes_removed: int, note: str | None) -> dict[str, str]:
    """The notice of an account action reversed on appeal."""
    words = ACCOUNT_ACTION_WORDS.get(AccountAction(original_action)) if original_action in values(AccountAction) else None
    what_vi = words["vi"] if words else original_action
    what_en = words["en"] if words else original_action
    vi = (f"Kháng nghị được chấp nhận: quyết định {what_vi} tài khoản đã bị hủy bỏ và tài khoản được khôi phục; "
          f"{strikes_removed} vi phạm dẫn đến quyết định đó đã được xóa khỏi hồ sơ. "
          "Quyết định này do người kiểm duyệt đưa ra sau khi xem xét.")
    en = (f"The appeal was granted: the decision that your account be {what_en} is reversed and the account is "
          f"restored; the {strikes_removed} {'strike' if strikes_removed == 1 else 'strikes'} that led to it "
          "no longer count. This decision was made by a human moderator after review.")
    if note:
        vi += f" Ghi chú của người xét kháng nghị: {_sentence(note)}"
        en += f" Note from the moderator who decided the appeal: {_sentence(note)}"
    return {"vi": vi, "en": en}


def account_dsa(policy: Policy, author_id: str, action: str, category: str | None, clause: str | None,
                reasons: Mapping[str, str], *, source_type: str = "SOURCE_VOLUNTARY",
                automated_decision: str = NOT_AUTOMATED) -> dict[str, Any] | None:
    """The DSA statement-of-reasons fields of an account action (None when no action is taken);
    ``automated_decision`` is :data:`PARTIALLY_AUTOMATED` for the ladder's."""
    if action not in values(AccountAction):
        return None
    cat = policy.categories.get(category or "")
    out: dict[str, Any] = {
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "incompatible_content_ground": f"{policy.name} clause {clause}",
        "incompatible_content_explanation": reasons["en"],
        "category": cat.dsa_category if cat else "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
        "automated_detection": "No",
        "automated_decision": automated_decision,
        "source_type": source_type,
        "puid": author_id,
        "territorial_scope": ["VN"],
        "decision_facts": reasons["en"],
    }
    if AccountAction(action) in _DSA_ACCOUNT:
        out["decision_account"] = _DSA_ACCOUNT[AccountAction(action)]
    elif action == AccountAction.RESTRICT:
        out["decision_provision"] = "DECISION_PROVISION_PARTIAL_SUSPENSION"
    return out


def account_decision(policy: Policy, author_id: str, action: str, reasons: Mapping[str, str], *,
                     categories: Sequence[str] = (), clause: str | None = None,
                     rules: Sequence[str] = ()) -> Decision:
    """An account decision (``id`` is the author id): a person's, or the ladder's (``rules`` names the
    ladder rule) after a person upheld each removal it counts. ``automated`` stays False, as a person
    stands behind every strike; the ladder's DSA fields say :data:`PARTIALLY_AUTOMATED`."""
    dsa = account_dsa(policy, author_id, action, categories[0] if categories else None, clause, reasons,
                      automated_decision=PARTIALLY_AUTOMATED if rules else NOT_AUTOMATED)
    return Decision(id=author_id, action=action, categories=tuple(CategoryFinding(c, 1.0) for c in categories),
                    rules=tuple(rules), policy=policy.version, detectors=(), reasons=dict(reasons), automated=False,
                    clause=clause if action != Action.ALLOW else None, dsa=dsa)
