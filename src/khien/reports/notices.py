"""The notice a reporter gets: a statement of reasons in Vietnamese and English.

It says what was decided on what they reported, under which clause, and (when nothing was done)
that they may contest the decision within the contest window. Every reporter gets the same words
for the same outcome: a report the mass-report detector marked is answered like any other (the
notice never accuses the reporter).
"""

from __future__ import annotations

from ..enums import AccountAction, Action, SubjectKind
from ..policy import Policy

__all__ = ["report_notice", "contest_notice", "ACTION_WORDS"]

ACTION_WORDS: dict[str, tuple[str, str]] = {
    Action.ALLOW: ("giữ nguyên, không áp dụng biện pháp nào", "kept; no action was taken"),
    Action.LABEL: ("gắn nhãn cảnh báo", "labelled with a warning"),
    Action.REVIEW: ("đưa vào xem xét thêm", "sent for further review"),
    Action.REMOVE: ("gỡ bỏ", "removed"),
    AccountAction.WARN: ("cảnh cáo tài khoản", "the account was warned"),
    AccountAction.RESTRICT: ("hạn chế tài khoản", "the account was restricted"),
    AccountAction.SUSPEND: ("tạm khóa tài khoản", "the account was suspended"),
    AccountAction.BAN: ("khóa vĩnh viễn tài khoản", "the account was banned"),
}


def _what(kind: SubjectKind, subject_id: str) -> tuple[str, str]:
    if kind == SubjectKind.ACCOUNT:
        return f"tài khoản «{subject_id}»", f"the account “{subject_id}”"
    return f"nội dung «{subject_id}»", f"the content “{subject_id}”"


def _clause(policy: Policy, category: str | None, clause: str | None) -> tuple[str, str]:
    if not clause:
        return "", ""
    cat = policy.categories.get(category) if category else None
    vi_title = f" ({cat.title.get('vi', cat.name)})" if cat else ""
    en_title = f" ({cat.title.get('en', cat.name)})" if cat else ""
    return (f", theo điều {clause}{vi_title} của chính sách cộng đồng",
            f", under clause {clause}{en_title} of the community policy")


def report_notice(policy: Policy, *, kind: SubjectKind, subject_id: str, upheld: bool, action: str,
                  category: str | None, clause: str | None, contest_days: float) -> dict[str, str]:
    """The reasons for a report's outcome, ``{"vi", "en"}``."""
    vi_what, en_what = _what(kind, subject_id)
    vi_act, en_act = ACTION_WORDS.get(action, (action, action))
    vi_cl, en_cl = _clause(policy, category, clause)
    days = f"{contest_days:g}"
    if upheld:
        vi = (f"Cảm ơn bạn đã báo cáo. Sau khi người kiểm duyệt xem xét, {vi_what} đã bị xử lý: {vi_act}{vi_cl}.")
        en = (f"Thank you for your report. After review by a moderator, {en_what} was actioned: {en_act}{en_cl}.")
    else:
        vi = (f"Cảm ơn bạn đã báo cáo. Sau khi người kiểm duyệt xem xét, {vi_what} được {vi_act}: chúng tôi không "
              f"thấy vi phạm chính sách cộng đồng. Nếu không đồng ý, bạn có thể khiếu nại quyết định không xử lý "
              f"này trong vòng {days} ngày; một người kiểm duyệt khác sẽ xem xét lại.")
        en = (f"Thank you for your report. After review by a moderator, {en_what} was {en_act}: we found no "
              f"breach of the community policy. If you disagree, you may contest this decision not to act "
              f"within {days} days; a different moderator will review it.")
    return {"vi": vi, "en": en}


def contest_notice(policy: Policy, *, kind: SubjectKind, subject_id: str, reversed_: bool, action: str,
                   category: str | None, clause: str | None) -> dict[str, str]:
    """The reasons after a reporter's contest was decided by a different moderator."""
    vi_what, en_what = _what(kind, subject_id)
    vi_act, en_act = ACTION_WORDS.get(action, (action, action))
    vi_cl, en_cl = _clause(policy, category, clause)
    if reversed_:
        vi = (f"Khiếu nại của bạn được chấp nhận. Một người kiểm duyệt khác đã xem xét lại và {vi_what} đã bị "
              f"xử lý: {vi_act}{vi_cl}.")
        en = (f"Your appeal was granted. A different moderator reviewed it again and {en_what} was actioned: "
              f"{en_act}{en_cl}.")
    else:
        vi = (f"Khiếu nại của bạn đã được một người kiểm duyệt khác xem xét. Quyết định không xử lý {vi_what} "
              f"được giữ nguyên vì không thấy vi phạm chính sách cộng đồng. Đây là quyết định cuối cùng của nền tảng.")
        en = (f"Your appeal was reviewed by a different moderator. The decision not to act on {en_what} stands: "
              f"no breach of the community policy was found. This is the platform's final decision.")
    return {"vi": vi, "en": en}
