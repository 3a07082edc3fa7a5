"""What the console shows: evidence marks in the user's own words, links, impersonation, statements."""

from __future__ import annotations

from khien.server.console.present import Mark, evidence_of, highlight, impersonation, links, preview

TEXT = "Quý khách vui lòng xác thực tài khoản tại vietcombank-xacthuc.xyz để tránh bị khóa"
DECISION = {"categories": [{"name": "scam", "score": 0.9, "evidence": [
    {"start": 10, "end": 27, "text": "vui lòng xác thực", "label": "bank_notice", "detector": "lexicon.scam.v1"},
    {"start": 19, "end": 37, "text": "xác thực tài khoản", "label": "bank_notice", "detector": "lexicon.scam.v1"},
    {"start": 42, "end": 65, "text": "vietcombank-xacthuc.xyz", "label": "link:cheap_tld", "detector": "contacts.v1"},
    {"start": 0, "end": 16, "text": "Vietcombank CSKH", "field": "author.display_name", "label": "x",
     "detector": "impersonation.v1"},
]}]}


def test_overlapping_spans_become_one_mark_with_every_label_and_the_text_is_kept_whole():
    segments = highlight(TEXT, evidence_of(DECISION))
    assert "".join(s.text for s in segments) == TEXT
    marked = [s for s in segments if s.marks]
    assert [s.text for s in marked] == ["vui lòng xác thực tài khoản", "vietcombank-xacthuc.xyz"]
    assert marked[0].tags == ["lexicon·bank_notice"] and len(marked[0].marks) == 2
    assert marked[1].title == "contacts.v1: scam / link:cheap_tld"


def test_spans_outside_the_text_or_on_other_fields_are_not_drawn():
    spans = evidence_of(DECISION) + [(70, 500, Mark("scam", "x.v1", None, "?")), (5, 5, Mark("scam", "x.v1", None, ""))]
    assert all(s.text != "Vietcombank CSKH" for s in highlight(TEXT, spans) if s.marks)
    assert "".join(s.text for s in highlight(TEXT, spans)) == TEXT


def test_links_are_listed_with_their_registrable_domain_also_when_defanged():
    found = links("Link: hxxps://nhacai88vip[.]win và https://sub.vietcombank-xacthuc.xyz/login")
    assert [(l["domain"], l["defanged"]) for l in found] == [("nhacai88vip.win", True), ("vietcombank-xacthuc.xyz", False)]


def test_impersonation_panel_puts_the_account_beside_the_protected_entity():
    item = {"author": {"display_name": "Agribank CSKH", "handle": "agribank.hotro"}}
    decision = {"categories": [{"name": "impersonation", "score": 0.93, "evidence": [
        {"start": 0, "end": 13, "text": "Agribank CSKH", "field": "author.display_name", "label": "impersonation:agribank",
         "detector": "impersonation.v1"}]}]}
    panel = impersonation(item, decision)
    assert panel["entity_id"] == "agribank"
    assert "agribank.com.vn" in panel["entity"]["domains"] and "Agribank" in panel["entity"]["names"]
    assert panel["account"]["display_name"] == "Agribank CSKH"
    assert any(m["field"] == "author.display_name" and m["why"] for m in panel["matched"])
    assert impersonation(item, DECISION) is None  # no impersonation finding, no panel


def test_preview_is_the_statement_the_user_receives(engine):
    reasons = preview(engine.policy, "p1", "remove", "2.1", "gọi điện lừa", DECISION)
    assert "gỡ bỏ" in reasons["vi"] and "2.1" in reasons["vi"] and "gọi điện lừa" in reasons["vi"]
    assert "human moderator" in reasons["en"]
