"""The default policy acts on what a post does: a scam is removed when it asks the reader to act; warnings,
questions, news and victims' stories about scams stay up; self-harm goes to a person with support lines.
Texts written for these tests."""

from __future__ import annotations

import pytest

from khien import Item
from khien.learn.corpus import STANCES

PROTECTIVE = [
    "⚠️ Công an quận cảnh báo: đối tượng giả danh nhân viên điện lực gọi điện đòi chuyển tiền nợ cước, dọa cắt điện "
    "trong hôm nay. Người dân tuyệt đối không chuyển tiền, hãy gọi tổng đài chính thức để kiểm tra.",
    "Em vừa nhận tin nhắn 'Tài khoản của quý khách bị tạm khóa, vui lòng xác thực tại đường link' có phải lừa đảo "
    "không mọi người?",
    "App vay này đòi nộp phí bảo hiểm khoản vay 1,5 triệu trước khi giải ngân, vậy có uy tín không ạ?",
    "Năm ngoái tôi bị một người quen qua mạng dụ đầu tư vào sàn ngoại hối, nạp 200 triệu rồi không rút được. "
    "Ai đang được mời như vậy thì dừng lại ngay, đừng nạp thêm đồng nào.",
    "Theo Công an tỉnh, nhóm đối tượng đã lập trang giả mạo ngân hàng, chiếm đoạt hơn 3 tỷ đồng của 120 người; "
    "cơ quan điều tra đã khởi tố vụ án.",
]
SOLICITING = [
    "Cô ơi cháu là bạn cùng phòng của Linh, Linh bị tai nạn đang cấp cứu, viện bắt đóng 15 triệu ngay, cô chuyển "
    "vào tài khoản của cháu 0123456789 để cháu nộp giúp nhé, gấp lắm cô ơi",
    "Tuyển CTV việc nhẹ lương cao, làm nhiệm vụ like video nhận hoa hồng 15%, nạp trước 500k để kích hoạt, ib Zalo 0912345678",
    "Chị ơi em là shipper, đơn của chị bị giữ ở kho do chưa thanh toán phí giao hàng 35k, chị chuyển khoản trước "
    "giúp em vào số tài khoản 1903 5566 7788 để em giao ngay trong chiều nhé",
]


@pytest.mark.parametrize("text", PROTECTIVE)
def test_protective_posts_about_scams_stay_up(engine, text):
    d = engine.decide(Item(id="p", text=text))
    assert d.action in ("allow", "label"), (d.action, d.rules)
    assert d.facts["stance"]["label"] in ("warns", "asks", "reports")


@pytest.mark.parametrize("text", SOLICITING)
def test_scams_that_ask_the_reader_to_act_are_acted_on(engine, text):
    d = engine.decide(Item(id="s", text=text))
    assert d.action in ("remove", "review"), (d.action, d.rules)
    assert d.facts["stance"]["label"] == "solicits"
    assert any(c.name == "scam" for c in d.categories)


def test_the_stance_is_a_fact_with_evidence_in_the_decision(engine):
    d = engine.decide(Item(id="s", text=SOLICITING[0])).to_dict()
    stance = d["facts"]["stance"]
    assert stance["label"] in STANCES and stance["detector"] == "intent.stance.v1"
    for e in stance["evidence"]:
        assert SOLICITING[0][e["start"]:e["end"]] == e["text"] and e["label"] == "model cue"


def test_self_harm_goes_to_review_with_support_lines_never_removed(engine):
    d = engine.decide(Item(id="h", text="Tôi mệt mỏi lắm rồi, tối nay tôi sẽ uống hết vỉ thuốc ngủ, mọi người đừng tìm tôi nữa."))
    assert d.action == "review" and d.rules[0] == "self_harm.support"
    assert "111" in d.reasons["vi"] and "111" in d.reasons["en"]
    assert not any(r.startswith("self_harm") and d.action == "remove" for r in d.rules)


def test_a_doctors_post_on_warning_signs_is_left_alone(engine):
    d = engine.decide(Item(id="d", text=(
        "Bác sĩ tâm thần chia sẻ: những dấu hiệu cảnh báo một người có ý định tự tử gồm thu mình, cho đi đồ đạc quý, "
        "nói lời từ biệt. Nếu thấy người thân như vậy, hãy ở bên họ, lắng nghe và gọi đường dây hỗ trợ.")))
    assert d.action == "allow", d.rules


def test_evidence_is_on_word_boundaries_and_shown_once(engine):
    text = SOLICITING[1]
    d = engine.decide(Item(id="e", text=text))
    for finding in d.categories:
        spans = [(e.start, e.end) for e, _ in finding.evidence if e.field == "text"]
        for s, e in spans:
            assert s == 0 or not text[s - 1].isalnum(), text[s - 1:e]
            assert e == len(text) or not text[e].isalnum(), text[s:e + 1]
        for i, a in enumerate(spans):
            assert not [b for b in spans[i + 1:] if a[0] <= b[0] and b[1] <= a[1]], spans
