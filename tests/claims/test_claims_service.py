"""The fact-check store and service on SQLite (and PostgreSQL when KHIEN_TEST_POSTGRES_URL is set):
import with an audit event, re-import updates, retire, trusted publishers, match."""

from dataclasses import replace

import numpy as np
import orjson
import pytest

from khien.claims import Rating, Topic
from khien.claims.dense import DenseRetriever, vector_key
from khien.claims.dense import available as dense_available
from khien.clock import FakeClock
from khien.errors import ConflictError, InputError, NotFoundError
from khien.review import Actor
from khien.review import claims
from khien.review.claims_live import LiveClaims, StoreVectors
from khien.store import audit as audit_rows
from khien.store import claims as claim_rows
from khien.text import fold_accents

ADMIN = Actor("quản trị", "admin")
T0 = 1_790_000_000.0


def _import(store, fixtures, name, clock, **kw):
    with store.write() as tx:
        return claims.import_document(tx, ADMIN, name, (fixtures / name).read_bytes(), clock=clock, **kw)


def test_import_stores_every_field_and_records_one_event(store, fixtures):
    clock = FakeClock(T0)
    result = _import(store, fixtures, "factchecks.jsonld", clock)
    assert sorted(result.added) == ["vn-cccd-ho-tro", "vn-chanh-ung-thu", "vn-thuy-dien-vo"]
    assert result.errors == () and result.updated == () and result.trusted == ()
    with store.read() as tx:
        lemon = claims.show(tx, "vn-chanh-ung-thu")
        events = audit_rows.events(tx, type="claims.imported")
    fc = lemon.fact_check
    assert fc.rating is Rating.FALSE and fc.topic is Topic.HEALTH and fc.claimant == "Trang Sức Khỏe Vàng"
    assert fc.appearances == ("https://mangxahoi.example.vn/p/123",) and fc.rating_value == 1.0
    assert lemon.imported_by == "quản trị" and lemon.retired_at is None
    (event,) = events
    payload = orjson.loads(event.payload)
    assert event.subject == "fact_checks:factchecks.jsonld"
    assert payload == {"added": 3, "updated": 0, "unchanged": 0, "refused": 0, "publishers": ["Kiểm Chứng Mẫu"]}


def test_reimport_updates_changed_records_and_keeps_retirement(store, fixtures, tmp_path):
    clock = FakeClock(T0)
    _import(store, fixtures, "factchecks.jsonld", clock)
    with store.write() as tx:
        claims.retire(tx, ADMIN, "vn-thuy-dien-vo", clock=clock)
    doc = orjson.loads((fixtures / "factchecks.jsonld").read_bytes())
    doc["@graph"][0]["reviewRating"]["alternateName"] = "Gây hiểu nhầm"
    with store.write() as tx:
        again = claims.import_document(tx, ADMIN, "v2.jsonld", orjson.dumps(doc), clock=clock)
    assert again.added == () and again.updated == ("vn-chanh-ung-thu",)
    assert sorted(again.unchanged) == ["vn-cccd-ho-tro", "vn-thuy-dien-vo"]
    with store.read() as tx:
        assert claims.show(tx, "vn-chanh-ung-thu").fact_check.rating is Rating.MOSTLY_FALSE
        assert claims.show(tx, "vn-thuy-dien-vo").fact_check.retired
        live = [s.fact_check.id for s in claims.list_fact_checks(tx)]
        every = [s.fact_check.id for s in claims.list_fact_checks(tx, include_retired=True)]
    assert live == ["vn-cccd-ho-tro", "vn-chanh-ung-thu"]  # newest review first
    assert every == ["vn-thuy-dien-vo", "vn-cccd-ho-tro", "vn-chanh-ung-thu"]


def test_bad_records_are_refused_and_counted(store):
    doc = [{"@type": "ClaimReview", "url": "https://k.example.vn/1", "claimReviewed": "Sạc điện thoại qua đêm gây nổ",
            "author": {"name": "Kiểm Chứng Mẫu"}, "reviewRating": {"alternateName": "Sai"}},
           {"@type": "ClaimReview", "url": "https://k.example.vn/2", "claimReviewed": "Uống rượu tỏi trị sỏi thận",
            "author": {"name": "Kiểm Chứng Mẫu"}}]
    with store.write() as tx:
        result = claims.import_document(tx, ADMIN, "x.json", orjson.dumps(doc), clock=FakeClock(T0))
        payload = orjson.loads(audit_rows.events(tx, type="claims.imported")[0].payload)
    assert len(result.added) == 1 and [str(e) for e in result.errors] == ["record 2: reviewRating.alternateName: missing"]
    assert payload["refused"] == 1


def test_retire_is_audited_and_twice_is_a_conflict(store, fixtures):
    clock = FakeClock(T0)
    _import(store, fixtures, "factchecks.jsonld", clock)
    clock.advance(60)
    with store.write() as tx:
        gone = claims.retire(tx, ADMIN, "vn-cccd-ho-tro", clock=clock)
    assert gone.retired_at is not None and gone.retired_at > gone.imported_at and gone.retired_by == "quản trị"
    with store.write() as tx, pytest.raises(ConflictError):
        claims.retire(tx, ADMIN, "vn-cccd-ho-tro", clock=clock)
    with store.write() as tx, pytest.raises(NotFoundError):
        claims.retire(tx, ADMIN, "khong-co", clock=clock)
    with store.read() as tx:
        (event,) = audit_rows.events(tx, type="claims.retired")
    assert event.subject == "fact_check:vn-cccd-ho-tro"


def test_only_live_fact_checks_of_trusted_publishers_are_matched(store, fixtures):
    clock = FakeClock(T0)
    _import(store, fixtures, "one_claim_two_reviews.jsonld", clock)
    post = "an la du du non chua khoi sot xuat huyet"
    assert _match(store, post) == []  # nobody trusted yet
    with store.write() as tx:
        claims.trust(tx, ADMIN, "kiểm chứng mẫu", clock=clock)
        with pytest.raises(ConflictError):
            claims.trust(tx, ADMIN, "KIỂM CHỨNG MẪU", clock=clock)
    found = _match(store, post)
    assert [m.fact_check.publisher.name for m in found] == ["Kiểm Chứng Mẫu"]
    with store.write() as tx:
        claims.retire(tx, ADMIN, found[0].fact_check.id, clock=clock)
    assert _match(store, post) == []
    with store.write() as tx:
        claims.untrust(tx, ADMIN, "Kiểm Chứng Mẫu", clock=clock)
        with pytest.raises(NotFoundError):
            claims.untrust(tx, ADMIN, "Kiểm Chứng Mẫu", clock=clock)
        types = [e.type for e in audit_rows.events(tx)]
    assert types.count("claims.publisher_trusted") == 1 and types.count("claims.publisher_untrusted") == 1


def test_import_can_trust_the_publishers_it_reads(store, fixtures):
    result = _import(store, fixtures, "factchecks.csv", FakeClock(T0), trust_publishers=True)
    assert result.trusted == ("Kiểm Chứng Mẫu",)
    found = _match(store, "nghe noi gia vang mieng tuan sau giam mot nua", 1)
    assert found[0].fact_check.id == "csv-vang-mieng"


def test_match_refuses_an_empty_text_and_a_bad_k(store):
    with pytest.raises(InputError):
        _match(store, "   ")
    with pytest.raises(InputError):
        _match(store, "giá vàng", 0)


def _match(store, text, k=5):
    """What GET /v1/claims/match and `khien claims match` do: the live matcher, read now."""
    return claims.match(LiveClaims(store, refresh_s=0)(), text, k)


@pytest.mark.skipif(not dense_available(), reason="the dense model is the claims extra")
def test_the_claims_vectors_are_kept_in_the_store(store, fixtures):
    _import(store, fixtures, "factchecks.csv", FakeClock(T0), trust_publishers=True)
    matcher = LiveClaims(store, refresh_s=0)()
    assert matcher.dense is not None
    with store.read() as tx:
        fcs = claim_rows.matchable(tx)
        stored = claim_rows.vectors(tx, [vector_key(fc.claim) for fc in fcs]
                                    + [vector_key(fold_accents(fc.claim)) for fc in fcs])
    assert len(stored) == len({fc.claim for fc in fcs} | {fold_accents(fc.claim) for fc in fcs})

    def no_model(texts):
        raise AssertionError(f"embedded again: {texts}")

    again = DenseRetriever(fcs, no_model, cache=StoreVectors(store))  # every vector comes from the store
    assert np.allclose(again.accented, matcher.dense.accented) and np.allclose(again.folded, matcher.dense.folded)
    # a claim nobody embedded yet is embedded once, and stored
    seen = []
    extra = replace(fcs[0], id="csv-moi", claim="Uống nước muối pha loãng mỗi sáng chữa khỏi viêm phổi")
    DenseRetriever([*fcs, extra], lambda texts: (seen.extend(texts), matcher.dense.encoder(texts))[1],
                   cache=StoreVectors(store))
    assert sorted(seen) == sorted([extra.claim, fold_accents(extra.claim)])


def test_fact_checks_without_a_review_date_are_listed_last(store, fixtures):
    clock = FakeClock(T0)
    _import(store, fixtures, "factchecks.jsonl", clock)  # neither record has a review date
    _import(store, fixtures, "factchecks.jsonld", clock)
    with store.read() as tx:
        dates = [s.fact_check.review_date for s in claims.list_fact_checks(tx)]
        mine = claims.list_fact_checks(tx, publisher="KIỂM CHỨNG MẪU", limit=2)
    assert dates[:3] == ["2026-09-14", "2026-05-30", "2026-03-02"] and dates[3:] == [None, None]
    assert [s.fact_check.id for s in mine] == ["vn-thuy-dien-vo", "vn-cccd-ho-tro"]
