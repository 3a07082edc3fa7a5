"""Every audit event is declared once, with a typed payload; every declared event is read by the
transparency report or deliberately only stored; nothing undeclared can be written."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from khien.audit import AuditEvent, events, record
from khien.report.transparency import READS

SRC = Path(events.__file__).resolve().parents[1]


def test_every_declared_event_is_read_or_deliberately_only_stored():
    for name, cls in events.EVENTS.items():
        assert cls.type == name
        read = cls in READS
        assert read != cls.stored_only, (
            f"{name}: {'read by the transparency report but marked stored_only' if read else 'read by nobody'}; "
            "add it to a reader or mark it stored_only")


def test_payloads_round_trip_through_parse():
    samples = [
        events.DecisionAutomated(decision=7, action="remove", category="scam", categories=("scam", "spam"),
                                 rules=("scam.task-recruitment",), policy="087d9b118712905a"),
        events.LegalRequestCreated(authority="Công an TP. Hà Nội", legal_basis="Nghị định 147/2024/NĐ-CP",
                                   requested_action="remove", deadline=None, reference="CV-12", items=2, cases=(4, 5)),
        events.AppealDecided(item="p1", platform="", subject="item:p1", outcome="reversed", reversed=True,
                             original_action="remove", new_action="allow", category="hate",
                             original_automated=True, decision=9),
    ]
    for event in samples:
        assert events.parse(event.type, event.payload()) == event


def test_a_renamed_payload_field_is_refused_with_the_nearest_name():
    payload = events.KeyCreated(name="moderator-an", role="moderator", prefix="ab12cd34").payload()
    payload["rol"] = payload.pop("role")
    with pytest.raises(events.AuditPayloadError, match="did you mean `role`"):
        events.parse("key.created", payload)
    with pytest.raises(events.AuditPayloadError, match="not declared"):
        events.parse("case.reopened", {})


def test_an_undeclared_event_cannot_be_written(store):
    with pytest.raises(TypeError):
        AuditEvent("an", "case:1", {"action": "remove"})  # a free dict is not an event
    with store.write() as tx:
        record(tx, "an", "case:1", events.CaseClaimed(expires_at="2026-11-30T06:00:00.000Z"))


def _string_literals(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node


def test_event_type_names_are_spelled_only_in_the_events_module():
    declared = set(events.EVENTS)
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "events.py" and path.parent.name == "audit":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _string_literals(tree):
            if node.value in declared:
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno} {node.value!r}")
    assert not offenders, "use the event class's `.type`, not its name as a string: " + "; ".join(offenders)
