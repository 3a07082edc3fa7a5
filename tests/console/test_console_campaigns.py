"""The console's campaign case: in the queue, the cluster card with the members' differences
highlighted, the preview (items, accounts, already decided), a required reason, and the bulk decision
that closes the case and links each member's own decision (TestClient, no JavaScript)."""

from __future__ import annotations

import html
import re

from khien.campaigns.records import Cluster
from khien.clock import FakeClock

START = 1_800_000_000.0
SAMPLE = "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678"
MEMBERS = {
    "c1": ("acc1", SAMPLE),
    "c2": ("acc2", "Tuyen CTV viec nhe luong cao, hoa hong 15%, ib Zalo 0912345679"),
    "c3": ("acc3", "Tuyển CTV việc nhẹ lương RẤT cao, hoa hồng 15%, ib Zalo 0912345670"),
}
REASON = "Cùng kịch bản tuyển CTV lừa đảo, chỉ đổi đuôi số điện thoại"


def _setup(store, engine, clock):
    from khien.model import Item
    from khien.review import campaigns, intake

    for item_id, (account, text) in MEMBERS.items():
        item = Item.from_dict({"id": item_id, "platform": "facebook", "text": text,
                               "author": {"id": account, "display_name": account}, "reach": {"views": 30}})
        with store.write() as tx:
            intake.moderate_many(tx, engine.policy, [(item, engine.decide(item))], clock=clock)
    cluster = Cluster(id=1, size=4, members=("c1", "c2", "c3", "c-gone"), accounts=("acc1", "acc2", "acc3", "acc4"),
                      first_seen=START - 3600, last_seen=START - 600, shared_entities=("phone:0912345xxx",),
                      timeline=((START - 3600, 1), (START - 1800, 3)), signals=("burst", "shared_contact"),
                      campaign=True, score=0.82, sample=SAMPLE)
    [ref] = campaigns.record_campaigns(store, "facebook", [cluster], clock=clock)
    return ref


def test_a_campaign_case_from_the_queue_to_the_bulk_decision(console, store, engine):
    lan, thu = console(), console()
    assert lan.sign_in("lan").status_code == 303 and thu.sign_in("thu").status_code == 303
    clock = FakeClock(START)
    lan.client.app.state.clock = clock
    ref = _setup(store, engine, clock)
    case_id, key = ref.case_id, ref.key

    queue = lan.get("/queue?source=campaign").text
    row = queue.split(f'data-case="{case_id}"')[1].split("</tr>")[0]
    assert 'data-subject="campaign"' in row and key in row
    assert 'data-case="' not in queue.split(f'data-case="{case_id}"')[1]  # the filter keeps campaign cases only

    page = lan.get(f"/cases/{case_id}")
    assert page.status_code == 200
    card = page.text.split('id="cluster-card"')[1].split("</section>")[0]
    assert 'id="c-size">4<' in card and 'id="c-accounts">4<' in card and "phone:0912345xxx" in card
    assert card.count("<li>") == 2 and "0.82" in card  # the timeline's two slots, the score
    members = page.text.split('id="members"')[1].split("</section>")[0]
    c2 = members.split('data-item="c2"')[1].split("</li>")[0]
    c3 = members.split('data-item="c3"')[1].split("</li>")[0]
    # accents removed are not a difference; the changed phone suffix and the added word are
    assert re.findall(r'<mark class="diff">([^<]*)</mark>', c2) == [" 0912345679"]
    assert [html.unescape(m) for m in re.findall(r'<mark class="diff">([^<]*)</mark>', c3)] == [" RẤT", " 0912345670"]
    assert "diff" not in members.split('data-item="c1"')[1].split("</li>")[0].split("member-text")[1]

    assert lan.post(f"/cases/{case_id}/claim").status_code == 303
    form = {"action": "remove", "clause": "2.1", "reason": ""}
    refused = lan.post(f"/cases/{case_id}/decide", form | {"op": "decide", "confirm": "1"})
    assert refused.status_code == 422 and 'id="problem"' in refused.text  # a reason is required
    preview = lan.post(f"/cases/{case_id}/decide", form | {"op": "preview", "reason": REASON})
    counts = re.search(r'id="preview-counts" data-items="(\d+)" data-accounts="(\d+)" data-already="(\d+)"',
                       preview.text)
    assert counts.groups() == ("3", "3", "0")
    live = lan.get(f"/cases/{case_id}/preview?action=remove").json()
    assert live["preview"] == {"items": 3, "accounts": 3, "already": 0, "missing": 1}
    confirm = lan.post(f"/cases/{case_id}/decide", form | {"op": "decide", "reason": REASON})
    assert confirm.status_code == 200 and 'name="confirm" value="1"' in confirm.text
    done = lan.post(f"/cases/{case_id}/decide", form | {"op": "decide", "confirm": "1", "reason": REASON})
    assert done.status_code == 303 and done.headers["location"] == f"/cases/{case_id}?msg=decided"

    decided = lan.get(f"/cases/{case_id}").text
    assert 'id="decided-note"' in decided
    for item_id in MEMBERS:  # each member links its own decision, made by lan
        entry = decided.split(f'data-item="{item_id}"')[1].split("</li>")[0]
        assert "/audit?subject=item%3Afacebook%3A" in entry or "/audit?subject=item:facebook:" in entry
        assert "lan" in entry
    audit = thu.get("/audit?type=campaign.member_decided").text
    assert all(f"item:facebook:{i}" in audit for i in MEMBERS)


def test_the_campaign_api_reads_and_decides_with_problems_on_bad_bodies(console, store, engine):
    from khien.access import create_key
    from khien.review import cases

    clock = FakeClock(START)
    ref = _setup(store, engine, clock)
    with store.write() as tx:
        token = create_key(tx, name="mod-api", role="moderator", actor="test").key
    client = console().client
    client.app.state.clock = clock
    auth = {"Authorization": f"Bearer {token}"}
    got = client.get(f"/v1/campaigns/{ref.key}?platform=facebook", headers=auth).json()
    assert got["size"] == 4 and got["case"] == ref.case_id and [m["stored"] for m in got["members"]] == [
        True, True, True, False]
    assert client.get("/v1/campaigns/cmp-ffffffffffff", headers=auth).status_code == 404
    url = f"/v1/campaigns/{ref.key}/decision"
    for body, field in [({"action": "remove", "clause": "2.1", "platform": "facebook"}, "reason"),
                        ({"action": "ban", "reason": "x", "platform": "facebook"}, "action"),
                        ({"action": "remove", "clause": "2.1", "reason": "  ", "platform": "facebook"}, "reason")]:
        bad = client.post(url, json=body, headers=auth)
        assert bad.status_code in (400, 422) and bad.headers["content-type"] == "application/problem+json"
        assert field in bad.text
    claimed = client.post(f"/v1/cases/{ref.case_id}/claim", headers=auth)
    assert claimed.status_code == 200
    done = client.post(url, json={"action": "remove", "clause": "2.1", "reason": REASON, "platform": "facebook"},
                       headers=auth).json()
    assert sorted(d["item"] for d in done["decided"]) == ["c1", "c2", "c3"] and done["accounts"] == 3
    with store.read() as tx:
        assert cases.get_case(tx, ref.case_id, clock=clock).case.state == "decided"
