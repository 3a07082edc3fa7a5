"""The case page and the queue show the text of the version a case judges, and say when the item
was edited since."""

from __future__ import annotations

from khien.model import Item
from khien.review import cases, intake
from khien.review.actor import Actor

SCAM = "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678"
EDITED = "Bài đã sửa: cảm ơn mọi người, bên mình đã tuyển đủ người rồi nhé"


def test_a_case_opened_before_an_edit_shows_the_text_it_judged_and_the_current_version(console, store, engine):
    app = Actor("nap", "ingest")
    intake.moderate(store, engine, Item("ed-1", SCAM, platform="facebook", reach={"views": 10**7}), app)
    with store.read() as tx:
        case_id = next(c.id for c in cases.list_cases(tx, limit=500) if c.case.item_id == "ed-1")
    b = console()
    b.sign_in("lan")
    before = b.get(f"/cases/{case_id}").text
    assert 'id="item-version"' not in before  # an item never edited looks as it always did

    assert intake.moderate(store, engine, Item("ed-1", EDITED, platform="facebook"), app).version == 2
    page = b.get(f"/cases/{case_id}").text
    assert "việc nhẹ lương cao" in page and "tuyển đủ người" not in page  # the text the case judged
    assert "phiên bản 1" in page and "đã sửa sau đó: phiên bản 2 là bản hiện tại" in page
    queue = b.get("/queue").text
    # the queue's snippet is the judged version's text too
    assert f"/cases/{case_id}" in queue and "tuyển đủ người" not in queue
