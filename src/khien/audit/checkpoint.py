"""Signed checkpoints: an audit log that outlives the database.

The hash chain proves that no event was changed *unless* whoever changed it could also rewrite the
rest: delete the newest events and set the head row to match, or recompute every hash after an edit.
A checkpoint closes that gap. It records the chain head (``seq``, ``hash``), the time it was made,
the number of events and the content digest of events 1..seq (:mod:`khien.audit.chain`), signed
with an Ed25519 key that lives outside the database (:mod:`khien.audit.signing`), and is kept
outside it too (a JSON line appended to a file, or posted to a receiver).

:func:`verify_against` then holds the chain to every checkpoint: event ``seq`` must still exist with
exactly the signed hash and content digest, so truncation below a checkpoint, deletion of the newest
events and a rewrite of the whole chain are all found. Events written after the latest checkpoint are
vouched for by the chain only; checkpoint often (a cron job) to keep that window short.

A checkpoint line is the canonical JSON (sorted keys, no whitespace) of :class:`Checkpoint`. The
signature covers the canonical JSON of every other field, ``version`` included.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Sequence

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..clock import SYSTEM, Clock, iso
from ..errors import KhienError
from ..store import Store
from ..strict import parse
from . import events as ev
from .chain import VerifyResult, canonical, record, walk
from .signing import public_key_text, sign, signature_holds

__all__ = ["VERSION", "Checkpoint", "CheckpointError", "ChainBroken", "make", "record_checkpoint", "append", "read",
           "verify_against"]

VERSION = "khien.audit.checkpoint.v1"
SUBJECT = "audit:chain"


class CheckpointError(KhienError):
    """A checkpoint file or line cannot be read as checkpoints."""

    code = "khien.audit.checkpoint"


class ChainBroken(KhienError):
    """The chain does not verify, so it is not signed (a checkpoint must never vouch for a tampered log)."""

    code = "khien.audit.broken"

    def __init__(self, result: VerifyResult) -> None:
        super().__init__(f"audit chain BROKEN at event {result.bad_seq}: {result.problem}; no checkpoint was made")
        self.result = result


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One signed statement: "the chain had ``events`` events ending at ``seq`` with ``hash`` at ``time``"."""

    seq: int
    hash: str
    time: str
    events: int
    digest: str
    public_key: str
    signature: str
    version: str = VERSION

    def signed_bytes(self) -> bytes:
        """What the signature covers: every field but the signature, as canonical JSON."""
        return canonical({"version": self.version, "seq": self.seq, "hash": self.hash, "time": self.time,
                          "events": self.events, "digest": self.digest, "public_key": self.public_key})

    def to_line(self) -> str:
        """The JSON line kept outside the database (no newline)."""
        return canonical({"version": self.version, "seq": self.seq, "hash": self.hash, "time": self.time,
                          "events": self.events, "digest": self.digest, "public_key": self.public_key,
                          "signature": self.signature}).decode("utf-8")

    def holds_for(self, public: Ed25519PublicKey) -> bool:
        return self.public_key == public_key_text(public) and signature_holds(public, self.signed_bytes(),
                                                                                 self.signature)

    def event(self) -> ev.AuditCheckpointed:
        """The copy recorded in the chain itself (what the transparency report reads)."""
        return ev.AuditCheckpointed(seq=self.seq, hash=self.hash, signed_at=self.time, events=self.events,
                                    digest=self.digest, public_key=self.public_key, signature=self.signature)

    @classmethod
    def from_dict(cls, data: Any, where: str) -> "Checkpoint":
        made = parse(cls, data, where, error=CheckpointError)
        if made.version != VERSION:
            raise CheckpointError(f"{where}.version: expected {VERSION!r}, found {made.version!r}")
        return made


def make(store: Store, key: Ed25519PrivateKey, *, clock: Clock = SYSTEM) -> Checkpoint:
    """Verify the whole chain and sign its head; raises :class:`ChainBroken` if it does not verify."""
    walked = walk(store)
    if not walked.result.ok:
        raise ChainBroken(walked.result)
    end = walked.end
    unsigned = Checkpoint(seq=end.seq, hash=end.hash, time=iso(clock.now()), events=walked.result.events,
                          digest=end.digest, public_key=public_key_text(key), signature="")
    return replace(unsigned, signature=sign(key, unsigned.signed_bytes()))


def record_checkpoint(store: Store, checkpoint: Checkpoint, *, actor: str = "cli", clock: Clock = SYSTEM) -> int:
    """Append the checkpoint to the chain as an ``audit.checkpoint`` event; returns that event's seq."""
    with store.write() as tx:
        return record(tx, actor, SUBJECT, checkpoint.event(), clock=clock)


def append(path: Path, checkpoint: Checkpoint) -> None:
    """Append the checkpoint's line to ``path`` (created if absent) and flush it to disk."""
    try:
        with open(path, "a", encoding="utf-8") as out:
            out.write(checkpoint.to_line() + "\n")
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        raise CheckpointError(f"{path}: cannot append the checkpoint ({exc.strerror})") from None


def read(path: Path) -> list[Checkpoint]:
    """Every checkpoint in ``path``, in file order; a line that is not one is refused with its number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CheckpointError(f"{path}: cannot read the checkpoints ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise CheckpointError(f"{path}: not UTF-8 text (a checkpoint file holds JSON lines)") from None
    found = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise CheckpointError(f"{where}: not a JSON line") from None
        found.append(Checkpoint.from_dict(data, where))
    if not found:
        raise CheckpointError(f"{path}: holds no checkpoint")
    return found


def verify_against(store: Store, checkpoints: Sequence[Checkpoint], public: Ed25519PublicKey) -> VerifyResult:
    """The chain check of :func:`khien.audit.verify`, then every checkpoint held against the chain.

    A checkpoint not signed by ``public`` fails first (it cannot vouch for anything). Otherwise the
    failure reported is the one at the lowest event: a break in the chain, the first event missing
    below a checkpoint (truncation), or a checkpointed event whose hash or content digest changed (a
    rewrite, recomputed hashes and all; the message gives the span it lies in, between the last
    checkpoint that still holds and this one).
    """
    given = public_key_text(public)
    for cp in checkpoints:
        if cp.public_key != given:
            return VerifyResult(False, 0, 0, cp.seq,
                                f"the checkpoint of event {cp.seq} ({cp.time}) was signed by {cp.public_key}, "
                                f"not by the key given ({given})", len(checkpoints))
        if not cp.holds_for(public):
            return VerifyResult(False, 0, 0, cp.seq,
                                f"the checkpoint of event {cp.seq} ({cp.time}) has a bad signature: "
                                "it was altered after it was signed", len(checkpoints))
    walked = walk(store, {cp.seq for cp in checkpoints})
    result = walked.result
    failures: list[tuple[int, str]] = [] if result.ok else [(result.bad_seq or 0, result.problem or "")]
    held = 0  # the highest checkpointed seq that still holds
    for cp in sorted(checkpoints, key=lambda c: c.seq):
        mark = walked.marks.get(cp.seq)
        if mark is None:
            if result.ok:  # a broken chain already explains why the walk stopped short
                end = result.events
                failures.append((end + 1, f"the chain ends at event {end} but the checkpoint of {cp.time} covers "
                                          f"events up to {cp.seq}: events {end + 1} to {cp.seq} were deleted"))
            continue
        if mark.hash != cp.hash or mark.digest != cp.digest:
            what = "hash" if mark.hash != cp.hash else "content digest"
            failures.append((cp.seq, f"event {cp.seq} does not have the {what} the checkpoint of {cp.time} "
                                     f"signed: events {held + 1} to {cp.seq} were rewritten after it "
                                     "(hashes recomputed)"))
            continue
        held = cp.seq
    if not failures:
        return VerifyResult(True, result.events, result.head_seq, checkpoints=len(checkpoints))
    bad, problem = min(failures, key=lambda f: f[0])
    return VerifyResult(False, result.events, result.head_seq, bad, problem, len(checkpoints))
