"""What the console shows: evidence marks in the user's own words, links, impersonation, statements."""

from __future__ import annotations

from khien.server.console.present import Mark, evidence_of, highlight, impersonation, links, preview, signal_records

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


IMPERSONATION = {"categories": [{"name": "impersonation", "score": 0.93, "evidence": [
    {"start": 0, "end": 13, "text": "Agribank CSKH", "field": "author.display_name", "label": "impersonation:agribank",
     "detector": "impersonation.v1"}]}]}


def test_impersonation_panel_puts_the_account_beside_the_protected_entity_from_what_was_stored(monkeypatch):
    import khien.impersonation.matcher as matcher
    import khien.impersonation.registry as registry

    def never(*_a, **_k):  # the panel must not ask today's registry or matcher
        raise AssertionError("the console re-ran the impersonation matcher")

    monkeypatch.setattr(registry, "load_registry", never)
    monkeypatch.setattr(matcher, "Matcher", never)
    item = {"author": {"display_name": "Agribank CSKH", "handle": "agribank.hotro"}}
    stored = dict(IMPERSONATION, signals=[{"detector": "impersonation.v1", "category": "impersonation", "score": 0.93,
                                           "details": {"entity": "agribank", "kind": "bank", "matcher": "m2",
                                                       "why": ["tên Agribank kèm chữ CSKH"],
                                                       "matches": [{"field": "author.display_name",
                                                                    "value": "Agribank CSKH", "matched": "Agribank",
                                                                    "why": "tên Agribank kèm chữ CSKH"}]}}])
    panel = impersonation(item, stored)
    assert panel["entity_id"] == "agribank" and panel["kind"] == "bank" and panel["stored_details"]
    assert panel["account"]["display_name"] == "Agribank CSKH"
    assert panel["matched"] == [{"field": "author.display_name", "text": "Agribank CSKH",
                                 "why": "tên Agribank kèm chữ CSKH", "matched": "Agribank"}]
    assert impersonation(item, DECISION) is None  # no impersonation finding, no panel


def test_an_old_impersonation_decision_shows_its_evidence_and_says_the_details_were_not_stored():
    panel = impersonation({"author": {"display_name": "Agribank CSKH"}}, IMPERSONATION)
    assert panel["entity_id"] == "agribank"  # from the evidence label
    assert not panel["stored_details"] and panel["kind"] is None
    assert [(m["field"], m["text"], m["why"]) for m in panel["matched"]] == [
        ("author.display_name", "Agribank CSKH", None)]


def test_signal_records_read_every_shape_of_the_stored_record():
    records = signal_records({"signals": [
        {"detector": "intent.v1", "category": "scam", "score": 0.91, "details": {"model": "phobert-intent-2"}},
        {"signal": "contacts.v1", "category": "scam", "score": 0.6, "host": "vietcombank-xacthuc.xyz"},
        "not a record"]})
    assert [(r.detector, r.model, r.score) for r in records] == [("intent.v1", "phobert-intent-2", 0.91),
                                                                ("contacts.v1", None, 0.6)]
    assert records[1].shown == {"host": "vietcombank-xacthuc.xyz"}
    assert signal_records(DECISION) == []


def test_preview_is_the_statement_the_user_receives(engine):
    reasons = preview(engine.policy, "p1", "remove", "2.1", "gọi điện lừa", DECISION)
    assert "gỡ bỏ" in reasons["vi"] and "2.1" in reasons["vi"] and "gọi điện lừa" in reasons["vi"]
    assert "human moderator" in reasons["en"]
