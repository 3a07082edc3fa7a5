"""Text views and link finding do work linear in the text's length (issue 11, "Bounded work").

Work is counted, not timed: every Python and built-in call made while the function runs (a
profiler hook), for a text of N characters and of 4N. Linear work grows about 4x; the walks these
tests guard against (a walk back to the start of the word, or of the token, for every match)
grew 16x.
"""

from __future__ import annotations

import sys

from khien.text.links import find_links
from khien.text.views import views


def calls(fn, *args) -> int:
    count = 0

    def hook(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(hook)
    try:
        fn(*args)
    finally:
        sys.setprofile(None)
    return count


def growth(make, fn) -> float:
    small, large = calls(fn, make(1500)), calls(fn, make(6000))
    return large / small


def test_an_elongated_word_without_spaces_is_normalised_in_linear_work():
    # "ngooo"-style elongations, hundreds of them in one word: each used to walk back to the word's start
    make = lambda n: "ngooo" * (n // 5)
    assert views(make(600)).canonical.text == "ngo" * 120  # the elongations are still squeezed
    assert growth(make, views) < 5


def test_a_short_form_with_a_repeated_letter_is_still_kept():
    assert "căn cước công dân" in views("làm lại cccd nhanh").canonical.text  # teencode "cccd", not "cd"


def test_a_long_dotted_token_is_searched_for_links_in_linear_work():
    make = lambda n: "a." * (n // 2)
    assert find_links(views(make(600)).nfc) == []
    assert growth(make, lambda t: find_links(views(t).nfc)) < 5


def test_links_inside_a_long_token_are_still_found():
    text = "Vào " + "x" * 5000 + ",vietcombank-xacthuc.com/dang-nhap để nhận quà, hoặc www.momo.vn"
    found = [link.domain.registrable for link in find_links(views(text).nfc)]
    assert found == ["vietcombank-xacthuc.com", "momo.vn"]
