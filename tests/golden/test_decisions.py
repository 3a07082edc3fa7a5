"""Reshaping the service half must not change a single decision (issue 10): `khien scan` on
``examples/`` and on 100,000 generated posts decides exactly as the golden file says, apart from
the engine fingerprint."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("golden_decisions", Path(__file__).with_name("decisions.py"))
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)


@pytest.mark.slow
def test_scan_decisions_match_the_golden_file():
    expected = json.loads(golden.GOLDEN.read_text(encoding="utf-8"))
    now = golden.current()
    changed = sorted(k for k in expected["examples"] if now["examples"].get(k) != expected["examples"][k])
    assert not changed, f"decisions changed for examples: {changed[:20]}"
    assert set(now["examples"]) == set(expected["examples"])
    assert now["generated"]["count"] == expected["generated"]["count"] == golden.GENERATED
    bad = [n for n, (a, b) in enumerate(zip(now["generated"]["chunks"], expected["generated"]["chunks"])) if a != b]
    assert not bad, f"decisions changed in generated chunks {bad[:20]} (posts g{bad[0] * golden.CHUNK:06d}...)"


def test_digest_ignores_only_the_fingerprint():
    a = {"id": "p1", "action": "remove", "fingerprint": "abc"}
    assert golden.digest(a) == golden.digest({**a, "fingerprint": "def"})
    assert golden.digest(a) != golden.digest({**a, "action": "review"})
