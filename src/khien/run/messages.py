"""One batch of stream messages in, the records to produce out (no broker here).

The stream runner (:mod:`khien.run.kafka`) polls a batch, hands it to :func:`decide_messages` and
produces what comes back. Deciding goes through :func:`khien.run.local.decide_records`, so a
decision's value is exactly the JSON object ``khien scan`` writes for the same item (without the
line's newline: a Kafka message is one record). A message that is not an item (not JSON, not
UTF-8, no ``id``, a text over the limit, no value at all) becomes a dead-letter record saying
where it was (topic, partition, offset) and why; the other messages of the batch are decided.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

import orjson

from ..engine import Engine
from ..model import Decision, Item
from .local import decide_records

__all__ = ["Polled", "Outgoing", "BatchOutput", "decide_messages", "dead_letter", "next_offsets", "with_key_as_id",
           "HEADER_FIELDS", "enveloped"]

# How much of a malformed message's value a dead-letter record keeps: enough to find and fix it,
# never a copy of an arbitrarily large payload.
DEAD_VALUE_CHARS = 10_000
ERROR_HEADER = "khien-error"
# Item fields a message header may supply (``--header FIELD=NAME``): short texts a producer often
# carries in headers rather than in the item's JSON.
HEADER_FIELDS = ("id", "platform", "url", "created_at")


@dataclass(frozen=True, slots=True)
class Polled:
    """A consumed message, detached from the client library."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes | None], ...] = ()


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A record to produce: to the output topic (a decision) or to the dead-letter topic."""

    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()


@dataclass(slots=True)
class BatchOutput:
    """What one batch yields: decisions keyed by item id, dead letters, and the counts a summary shows."""

    decisions: list[Outgoing] = field(default_factory=list)
    dead: list[Outgoing] = field(default_factory=list)
    actions: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)
    decided: list[tuple[Item, Decision]] = field(default_factory=list)  # with keep=True: for the store


def _text(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("utf-8", errors="replace")


def dead_letter(message: Polled, reason: str) -> Outgoing:
    """The dead-letter record of ``message``: its place, the reason, and (a bounded prefix of) its
    value as text, under the original key so a fixed message can be replayed in order."""
    value = _text(message.value)
    body = {"error": reason, "topic": message.topic, "partition": message.partition, "offset": message.offset,
            "key": _text(message.key), "value": value if value is None else value[:DEAD_VALUE_CHARS]}
    if value is not None and len(value) > DEAD_VALUE_CHARS:
        body["value_truncated"] = True
    return Outgoing(message.key, orjson.dumps(body), ((ERROR_HEADER, reason.encode("utf-8")),))


def with_key_as_id(message: Polled) -> bytes | None:
    """The value of ``message`` with its key as the item's ``id`` when the item has none (the
    ``--key-as-id`` envelope: producers that key messages by post id and send only the content).
    Anything else is returned unchanged, for :func:`decode_record` to accept or reject."""
    return enveloped(message, key_as_id=True)


def enveloped(message: Polled, *, key_as_id: bool = False, headers: Sequence[tuple[str, str]] = ()) -> bytes | None:
    """The value of ``message`` completed from its envelope: with ``key_as_id`` the key is the
    ``id`` of an item that has none; each ``(field, header)`` of ``headers`` gives a field the item
    lacks the UTF-8 value of that header (the first one of that name; a header that is absent or not
    UTF-8 gives nothing). Fields in the item's JSON always win. A value that is not a JSON object is
    returned unchanged, for :func:`decode_record` to reject with its reason."""
    if message.value is None or not (key_as_id and message.key is not None or headers and message.headers):
        return message.value
    try:
        data = orjson.loads(message.value)
    except orjson.JSONDecodeError:
        return message.value
    if not isinstance(data, dict):
        return message.value
    added: dict[str, str] = {}
    if key_as_id and message.key is not None and "id" not in data:
        try:
            added["id"] = message.key.decode("utf-8")
        except UnicodeDecodeError:
            pass
    for name, header in headers:
        if name in data or name in added:
            continue
        raw = next((v for k, v in message.headers if k == header), None)
        if raw is not None:
            try:
                added[name] = raw.decode("utf-8")
            except UnicodeDecodeError:
                pass
    return orjson.dumps({**added, **data}) if added else message.value


def decide_messages(engine: Engine, messages: Sequence[Polled], *, dsa: bool = False,
                    max_text: int | None = None, keep: bool = False, key_as_id: bool = False,
                    headers: Sequence[tuple[str, str]] = ()) -> BatchOutput:
    """Decide a batch; every message yields exactly one decision or one dead letter, in order.
    ``keep`` also returns the (item, decision) pairs (``decided``); ``key_as_id`` reads the message
    key as the id of an item that has none and ``headers`` fill fields from message headers
    (:func:`enveloped`).

    ``decide_records`` reports a bad record by its number (here: the index in the batch) and
    returns the decisions of the others in order, which is how a decision is matched back to its
    message without deciding twice.
    """
    out = BatchOutput()
    records = [(i, enveloped(m, key_as_id=key_as_id, headers=headers))
               for i, m in enumerate(messages) if m.value is not None]
    result = decide_records(engine, records, dsa=dsa, max_text=max_text, keep=keep)
    reasons = {i: "empty message: no value" for i, m in enumerate(messages) if m.value is None}
    reasons.update(result.errors)
    lines = iter(result.lines)
    for i, message in enumerate(messages):
        if i in reasons:
            out.dead.append(dead_letter(message, reasons[i]))
            continue
        line = next(lines).rstrip(b"\n")
        # the decision's id is the item's: the record key, so one item's decisions share a partition
        out.decisions.append(Outgoing(orjson.loads(line)["id"].encode("utf-8"), line))
    assert next(lines, None) is None, "decide_records returned more decisions than accepted records"
    out.actions.update(result.actions)
    out.categories.update(result.categories)
    out.decided = result.decided
    return out


def next_offsets(messages: Sequence[Polled]) -> dict[tuple[str, int], int]:
    """The offset to commit for each (topic, partition) of a batch: one past its last message."""
    offsets: dict[tuple[str, int], int] = {}
    for m in messages:
        place = (m.topic, m.partition)
        offsets[place] = max(offsets.get(place, -1), m.offset + 1)
    return offsets
