"""Each pattern match is named by the category it was written for, never by another category's set."""

from khien.detect.base import Prepared
from khien.detect.patterns import PatternDetector
from khien.model import Item


def test_signal_names_follow_the_category():
    det = PatternDetector()
    assert set(det.signals) == {f"patterns.{c}.v1" for c in det.emits}
    found = det.detect_batch([Prepared(Item(id="1", text="Đầu tư dự án xanh, lãi 3%/ngày, rút gốc bất cứ lúc nào"))])[0]
    assert found and all(s.detector == f"patterns.{s.category}.v1" for s in found)
