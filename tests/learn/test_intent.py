"""The intent model: trains on a small labelled set, predicts categories and stance, explains itself with
word-level cues, and saves to a checked, deterministic format."""

from __future__ import annotations

import numpy as np
import pytest

from khien.errors import ModelError
from khien.learn.corpus import STANCES
from khien.learn.intent import IntentConfig, IntentData, train_intent
from khien.learn.intent_format import load_intent, save_intent
from khien.learn.model import view_texts
from khien.learn.static import load_vectors

# Written for this test: asks for money (scam, solicits), warns about it, asks about it, and chat.
SCAM = [
    "Chị ơi em kẹt tiền viện phí, chị chuyển giúp em 3 triệu vào số tài khoản này nhé",
    "Bác chuyển trước 500k phí ship giúp cháu, cháu giao hàng ngay",
    "Anh gửi giúp em mã số vừa nhắn về điện thoại để em xác nhận đơn",
    "Cô ơi con đang cấp cứu ở viện, cô chuyển gấp 5 triệu cho bạn con nhé",
    "Em cọc trước 30% giữ vé giá rẻ, chuyển khoản vào tài khoản em là xong",
    "Ông chuyển 2 triệu phí hồ sơ để nhận tiền trợ cấp về tài khoản",
    "Chuyển giúp mình 1 triệu vào số này, mai mình trả lại nha",
    "Bạn nhắn mã OTP cho mình để mình mở khóa tài khoản giúp",
]
WARN = [
    "Cảnh báo: có kẻ giả làm người thân nhắn tin xin chuyển tiền gấp, mọi người gọi điện xác minh trước nhé",
    "Công an khuyến cáo không chuyển tiền cọc cho người bán lạ trên mạng",
    "Ngân hàng không bao giờ yêu cầu khách hàng gửi mã OTP, mọi người cẩn thận",
    "Mọi người cảnh giác với tin nhắn đòi chuyển phí ship trước nhé",
]
ASK = [
    "Có ai nhận được tin nhắn bảo chuyển tiền phí hồ sơ không, có phải lừa không ạ?",
    "Người lạ nhắn xin mã OTP thì có nên đưa không mọi người?",
    "App vay này có uy tín không hay là lừa vậy mọi người?",
    "Shipper gọi bảo chuyển phí trước có đúng không ạ?",
]
CHAT = [
    "Hôm nay trời đẹp cả nhà đi chơi công viên", "Phở ở quán đầu ngõ ngon lắm",
    "Cuối tuần này đội mình đá bóng lúc 5 giờ chiều", "Con gái tôi vừa thi xong, cả nhà vui lắm",
]


@pytest.fixture(scope="module")
def model():
    texts = SCAM + WARN + ASK + CHAT
    y = np.array([[1]] * len(SCAM) + [[0]] * (len(texts) - len(SCAM)), dtype=np.int8)
    stance = [0] * len(SCAM) + [1] * len(WARN) + [2] * len(ASK) + [4] * len(CHAT)
    # every stance needs examples: two reports
    texts += ["Hôm qua bà hàng xóm bị lừa mất 50 triệu vì chuyển tiền cho kẻ giả công an",
              "Báo đưa tin một nhóm lừa đảo chuyển tiền vừa bị bắt"]
    y = np.vstack([y, [[0], [0]]]).astype(np.int8)
    stance += [3, 3]
    groups = [f"g{i % 4}" for i in range(len(texts))]
    data = IntentData(texts, ("scam",), y, STANCES, np.array(stance, dtype=np.int16), groups)
    cfg = IntentConfig(max_features=5000, min_df=1, c_grid=(2.0,), folds=4)
    return train_intent(data, load_vectors(), cfg)


def test_scam_and_stance_follow_what_the_post_does(model):
    cats, stance = model.predict(view_texts([
        "Anh ơi em đang kẹt, anh chuyển giúp em 2 triệu vào tài khoản này nhé",
        "Cảnh báo mọi người: kẻ gian nhắn tin xin chuyển tiền, hãy gọi điện xác minh",
    ]))
    assert cats[0, 0] > cats[1, 0]
    assert STANCES[int(np.argmax(stance[0]))] == "solicits"
    assert STANCES[int(np.argmax(stance[1]))] == "warns"


def test_cues_are_whole_words_that_raise_the_score(model):
    text = "chị ơi chuyển giúp em 3 triệu vào tài khoản này nhé"
    cues = model.cues(text, 0)
    assert cues
    for c in cues:
        assert c.weight > 0
        assert (c.start == 0 or not text[c.start - 1].isalnum()) and (c.end == len(text) or not text[c.end].isalnum())
    assert any(w in text[c.start:c.end] for c in cues for w in ("chuyển", "giúp", "tài khoản", "triệu"))


def test_save_load_round_trip_is_deterministic(tmp_path, model):
    a = save_intent(model, tmp_path / "a")
    b = save_intent(load_intent(a), tmp_path / "b")
    assert (a / "intent.npz").read_bytes() == (b / "intent.npz").read_bytes()
    texts = view_texts(["chuyển giúp em 3 triệu nhé"])
    assert np.allclose(model.predict(texts)[0], load_intent(a).predict(texts)[0], atol=1e-2)


def test_load_refuses_a_model_trained_with_other_vectors(tmp_path, model):
    import json

    path = save_intent(model, tmp_path / "m")
    meta = json.loads((path / "intent.json").read_text(encoding="utf-8"))
    meta["static_vectors"] = "0" * 64
    (path / "intent.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="other static vectors"):
        load_intent(path)


def test_too_little_data_is_refused():
    data = IntentData(["a"] * 3, ("scam",), np.zeros((3, 1), dtype=np.int8), STANCES, np.zeros(3, dtype=np.int16), ["g"] * 3)
    with pytest.raises(ModelError):
        train_intent(data, load_vectors())
