"""A post's decision is a function of the post alone, not of the batch it is decided in (issue 11).

``POST /v1/moderate`` micro-batches concurrent requests, and ``khien scan`` and the worker decide in
batches, so ``decide_batch(batch)[i]`` must be ``decide(batch[i])`` whatever else is in the batch and
in whatever order. The intent model's "model cue" evidence used to break this: its n-gram keys were
sliced out of one sequence for the whole batch, cut by the canonical view's token counts, so a post
whose folded view lost a token (a combining mark standing alone) shifted the cues of every post after
it.
"""

from __future__ import annotations

import random

import pytest

from khien.engine import Engine
from khien.learn.intent import IntentModel
from khien.model import Item

# Real-world style Vietnamese posts: scams with cues, warnings, plain posts.
PLAIN = [
    "Chị ơi em Hùng đây, em đang kẹt ở viện, chị chuyển giúp em 5 triệu vào tài khoản bạn em nhé, mai em gửi lại",
    "Tuyển cộng tác viên làm việc tại nhà, mỗi ngày 500k-1 triệu, chỉ cần nộp phí đăng ký 200k, inbox ngay",
    "Tài khoản ngân hàng của quý khách bị khoá, bấm vào link http://vcb-xacminh.top để xác minh và nhập mã OTP",
    "Cảnh báo: có kẻ giả danh công an gọi điện yêu cầu chuyển tiền, mọi người đừng chuyển khoản nhé",
    "Mọi người cẩn thận, mình vừa bị lừa mất 3 triệu vì tin nhắn trúng thưởng, đừng ai bấm link lạ",
    "Thằng óc chó kia câm mồm đi, tao biết nhà mày ở đâu rồi đấy",
    "Hôm nay trời mát, cả nhà đi công viên ăn kem, vui ghê",
    "Cho mình hỏi quán phở nào ngon ở quận 3 vậy mọi người?",
]

# Posts whose views may drop or add tokens, each beside cue words so evidence is computed.
ODD = [
    # a combining mark standing alone after a letter ("x" + acute has no composed form): the mark
    # is a canonical token of its own, which folding empties, so the folded view has one token less
    "Chị ơi chuyển khoản giúp em 5 triệu x\u0301 vào tài khoản này nhé, nhập mã OTP ngay",
    "x\u0301 Chị ơi em Hùng đây, em đang kẹt ở viện, chị chuyển giúp em 5 triệu vào tài khoản bạn em nhé",
    # marks after spaces, which canonicalisation removes (no token lost)
    "\u0301 chị chuyển \u0300 tiền vào tài khoản này \u0303 ngay nhé, nhập mã OTP",
    # zero-width characters inside and between words
    "chuy\u200bển kho\u200cản ngay\u200d cho em 5 triệu, mã OT\ufeffP gửi qua tin nhắn",
    # emoji with skin-tone modifiers and a joiner sequence
    "🙏🏽 chị ơi chuyển khoản giúp em 👨\u200d👩\u200d👧 5 triệu, em cần gấp 👍🏿",
    # letters spaced by dots
    "Cẩn thận l.ừ.a đ.ả.o, bọn nó bảo c.h.u.y.ể.n k.h.o.ả.n trước rồi mới giao hàng",
    # only punctuation
    "!!! ??? ... --- ,,, ;;;",
]

BATCH = PLAIN[:3] + ODD[:1] + PLAIN[3:] + ODD[1:]
TOKEN_LOSING = ODD[:2]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_policy()


def items(texts: list[str]) -> list[Item]:
    return [Item(id=f"p{i}", text=t) for i, t in enumerate(texts)]


def test_the_batch_has_model_cues_and_token_losing_posts(engine):
    """The fixture exercises what it claims: the token-losing posts carry model cues themselves (a
    post without an evidence request never entered the key sequence) and cued posts follow them."""
    from khien.learn import features as F
    from khien.text.views import fold_accents, views

    for text in TOKEN_LOSING:
        tokens = F.token_text(views(text).canonical.text)
        assert len(fold_accents(tokens).split()) < len(tokens.split())
    alone = [engine.decide(item).to_dict() for item in items(BATCH)]
    cued = [i for i, d in enumerate(alone) if "model cue" in repr(d)]
    assert {BATCH.index(t) for t in TOKEN_LOSING} <= set(cued)
    assert any(i > BATCH.index(TOKEN_LOSING[0]) for i in cued)
    assert len(cued) >= 6


@pytest.mark.parametrize("seed", [None, 1, 2, 3, 4])
def test_decide_batch_is_decide_of_each_item(engine, seed):
    texts = list(BATCH)
    if seed is not None:
        random.Random(seed).shuffle(texts)
    batch = items(texts)
    together = [d.to_dict() for d in engine.decide_batch(batch)]
    for i, item in enumerate(batch):
        assert together[i] == engine.decide(item).to_dict(), f"post {i}: {item.text!r}"


def test_a_lone_mark_first_does_not_move_the_cues_of_the_posts_after_it(engine):
    """The smallest case of the bug: the same scam decided after a token-losing post and alone."""
    scam = PLAIN[0]
    after = engine.decide_batch(items([TOKEN_LOSING[0], scam]))[1].to_dict()
    after["id"] = "p0"
    assert after == engine.decide(Item(id="p0", text=scam)).to_dict()


def test_cues_of_a_token_losing_post_point_at_its_own_words():
    """A post's folded n-grams are placed on the canonical tokens they came from, so the cues after a
    dropped token cover the words that carry them, not the words one token earlier (before the fix:
    "ơi chuyển khoản giúp", "em 5 triệu vào")."""
    from khien.detect.intent import _load
    from khien.text.views import views

    model: IntentModel = _load(None)
    scam = model.categories.index("scam")
    plain = "Chị ơi chuyển khoản giúp em 5 triệu vào tài khoản này nhé, nhập mã OTP ngay"

    def cue_words(text: str) -> list[str]:
        canonical = views(text).canonical.text
        return [canonical[c.start:c.end] for c in model.cues(canonical, scam, limit=3)]

    expected = cue_words(plain)
    assert expected == ["triệu vào tài khoản", "chuyển khoản giúp em", "nhập mã otp"]
    # "x" + a combining acute: the mark is a token of its own, which the folded view does not have
    assert cue_words("x\u0301 " + plain) == expected
