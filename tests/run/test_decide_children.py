"""The decide pool's child processes (issue 11): long texts leave the server process, stopping
terminates a child mid-decision, and a child whose engine is not the server's is never used."""

from __future__ import annotations

import os
import time

import pytest

from khien.model import Item
from khien.run.children import ChildPool, DecideFailed, EngineRecipe
from khien.run.worker import DecidePool

SCAM = "Tuyển CTV việc nhẹ lương cao, hoa hồng 15% mỗi đơn, nạp tiền để rút, ib Zalo 0912 345 678. "
FINE = "Hôm nay trời đẹp, cả nhà đi công viên chơi rồi ăn phở bò ở đầu ngõ. "


def _wait_for_child(pool: ChildPool) -> list[int]:
    deadline = time.monotonic() + 30
    while not pool.pids and time.monotonic() < deadline:
        time.sleep(0.01)
    return pool.pids


def test_short_texts_stay_in_threads_and_long_ones_go_to_a_child(engine):
    pool = DecidePool(engine, processes=1, inline_chars=1_000, recipe=EngineRecipe())
    try:
        short = pool.submit(Item(id="ngan", text=FINE)).result(30)
        assert pool.children is not None and pool.children.pids == []  # no child for a short text
        long = Item(id="dai", text=(SCAM + FINE) * 20)
        decided = pool.submit(long).result(60)
        assert len(pool.children.pids) == 1
        assert short.action == "allow" and decided == engine.decide(long)  # same engine, same decision
    finally:
        pool.close()


def test_close_terminates_a_child_mid_decision_and_fails_its_item(engine):
    pool = DecidePool(engine, processes=1, inline_chars=1_000, recipe=EngineRecipe())
    future = pool.submit(Item(id="rat-dai", text=((SCAM + FINE) * 7000)[:1_000_000]))
    (pid,) = _wait_for_child(pool.children)
    started = time.monotonic()
    pool.close()
    with pytest.raises(DecideFailed):
        future.result(10)
    assert time.monotonic() - started < 5, "close() must not wait for the decision"
    assert not os.path.exists(f"/proc/{pid}")
    assert pool.in_flight == 0


def test_a_child_with_another_engine_is_never_used(engine):
    """A server given an engine its policy setting does not build: long texts fall back to threads."""
    pool = DecidePool(engine, processes=1, inline_chars=1_000, recipe=EngineRecipe())
    assert pool.children is not None
    pool.children.expected = "khong-phai-dong-co-nay"  # as if the server's engine were another one
    try:
        long = Item(id="dai", text=(SCAM + FINE) * 20)
        assert pool.submit(long).result(60) == engine.decide(long)
        assert pool.children.mismatch
    finally:
        pool.close()


def test_processes_zero_means_threads_only(engine):
    pool = DecidePool(engine, processes=0, inline_chars=10, recipe=EngineRecipe())
    try:
        assert pool.children is None
        assert pool.submit(Item(id="dai", text=SCAM * 5)).result(30).action == "remove"
    finally:
        pool.close()
