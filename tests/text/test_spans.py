from khien.text.spans import drop_contained, widen_to_words


def test_widen_grows_a_span_to_whole_words():
    text = "chuyển khoản ngay cho tôi"
    assert widen_to_words(text, 3, 9) == (0, 12)  # "yển kho" -> "chuyển khoản"
    assert widen_to_words(text, 0, 6) == (0, 6)
    assert widen_to_words(text, 18, 21) == (18, 21)


def test_widen_keeps_punctuation_boundaries_and_empty_spans():
    text = "vcb-xacthuc.top, nhé"
    assert widen_to_words(text, 4, 11) == (4, 11)
    assert widen_to_words(text, 5, 5) == (5, 5)


def test_drop_contained_keeps_one_span_per_place():
    kept = drop_contained([(0, 12, "a"), (0, 6, "b"), (7, 12, "c"), (13, 17, "d")])
    assert [(s, e) for s, e, _ in kept] == [(0, 12), (13, 17)]
