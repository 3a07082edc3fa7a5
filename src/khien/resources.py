"""Data files and models, found through one ``packaged:NAME`` scheme and recorded when loaded.

Every word list, host list, lexicon, pattern table, registry and model a detector reads is named
either by a file path or by ``packaged:NAME`` (a file shipped in ``khien/data``). :func:`resolve`
turns the name into a path and records the load, with the content digest of what was read, in
the :func:`tracking` block that is active (the engine opens one while it builds its detectors).
That record is what the engine fingerprint is made of, so a load that bypasses this module would
be a load the fingerprint misses: read data through here.

Where each kind of packaged file lives (``NAME`` is the part after ``packaged:``):

========== ==========================================
kind       file
========== ==========================================
lexicon    ``khien/data/lexicons/NAME.tsv``
list       ``khien/data/lists/NAME.txt``
table      ``khien/data/NAME.tsv`` (``patterns``)
registry   ``khien/data/registry.yaml`` (``default``), else ``khien/data/registry-NAME.yaml``
model      ``khien/data/models/NAME`` (a directory)
========== ==========================================
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
from dataclasses import dataclass
from importlib import resources as _resources
from pathlib import Path
from typing import Iterator, Literal

from .errors import InputError

__all__ = [
    "PACKAGED",
    "Kind",
    "Load",
    "resolve",
    "packaged_path",
    "is_packaged",
    "note",
    "note_content",
    "tracking",
    "digest",
    "read_words",
    "builtin_digest",
]

PACKAGED = "packaged:"
Kind = Literal["lexicon", "list", "table", "registry", "model"]

_LAYOUT: dict[str, tuple[tuple[str, ...], str]] = {
    "lexicon": (("lexicons",), ".tsv"),
    "list": (("lists",), ".txt"),
    "table": ((), ".tsv"),
    "model": (("models",), ""),
}


@dataclass(frozen=True, slots=True)
class Load:
    """One data file or model directory an engine read: what it was called, where it was, its digest."""

    kind: str
    source: str  # as configured: "packaged:scam" or a path
    path: str
    digest: str  # sha256 hex of the content (of every file, for a directory)


_current: contextvars.ContextVar[list[Load] | None] = contextvars.ContextVar("khien_loads", default=None)
_digests: dict[tuple[str, int, int], str] = {}


def is_packaged(source: str | Path) -> bool:
    return isinstance(source, str) and source.startswith(PACKAGED)


def _data_root() -> Path:
    return Path(str(_resources.files("khien.data")))


def packaged_path(name: str, kind: Kind) -> Path:
    """Where ``packaged:NAME`` of this kind lives (the file need not exist)."""
    if kind == "registry":
        return _data_root() / ("registry.yaml" if name in ("", "default") else f"registry-{name}.yaml")
    folders, suffix = _LAYOUT[kind]
    return _data_root().joinpath(*folders, name + suffix)


def digest(path: str | Path) -> str:
    """sha256 of a file's bytes, or of a directory's files (relative names and contents, sorted).

    Cached by path, size and modification time, so models are hashed once per process.
    """
    p = Path(path)
    try:
        stat = p.stat()
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc}") from exc
    key = (str(p.resolve()), stat.st_size, stat.st_mtime_ns)
    found = _digests.get(key)
    if found is not None:
        return found
    h = hashlib.sha256()
    if p.is_dir():
        for child in sorted(c for c in p.rglob("*") if c.is_file() and "__pycache__" not in c.parts):
            h.update(child.relative_to(p).as_posix().encode("utf-8") + b"\0")
            h.update(bytes.fromhex(digest(child)))
    else:
        with p.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    _digests[key] = h.hexdigest()
    return _digests[key]


def note(kind: str, source: str | Path, path: str | Path) -> Path:
    """Record that ``path`` (configured as ``source``) is being loaded; returns it as a Path."""
    p = Path(path)
    loads = _current.get()
    if loads is not None:
        loads.append(Load(kind, str(source), str(p), digest(p)))
    return p


def note_content(kind: str, source: str, content_digest: str) -> None:
    """Record a resource handed over in memory (e.g. a registry in the engine's context) by its digest."""
    loads = _current.get()
    if loads is not None:
        loads.append(Load(kind, source, "(in memory)", content_digest))


def resolve(source: str | Path, kind: Kind, *, record: bool = True) -> Path:
    """The path of ``source`` (``packaged:NAME`` or a path), recorded as loaded.

    ``record=False`` is for data read at import time: whether an import happens inside an
    engine's :func:`tracking` block is an accident of import order, so such reads must not be
    recorded there (they are covered by :func:`builtin_digest`).

    Raises :class:`InputError` naming the packaged files of that kind when ``packaged:NAME``
    does not exist, and when a path does not exist.
    """
    if is_packaged(source):
        name = str(source)[len(PACKAGED):]
        path = packaged_path(name, kind)
        if not path.exists():
            raise InputError(f"no packaged {kind} named '{name}'", hint=f"Packaged: {', '.join(available(kind))}.")
    else:
        path = Path(source).expanduser()
        if not path.exists():
            raise InputError(f"{kind} file {path} does not exist")
    return note(kind, source, path) if record else path


def available(kind: Kind) -> list[str]:
    """Names usable as ``packaged:NAME`` for this kind."""
    if kind == "registry":
        return sorted("default" if p.name == "registry.yaml" else p.name[len("registry-"):-5]
                      for p in _data_root().glob("registry*.yaml"))
    folders, suffix = _LAYOUT[kind]
    folder = _data_root().joinpath(*folders)
    if kind == "model":
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("_"))
    return sorted(p.name[: -len(suffix)] for p in folder.iterdir() if p.name.endswith(suffix))


@contextlib.contextmanager
def tracking() -> Iterator[list[Load]]:
    """Collect every :func:`resolve` / :func:`note` made inside the block (nested blocks see their own)."""
    loads: list[Load] = []
    token = _current.set(loads)
    try:
        yield loads
    finally:
        _current.reset(token)


def read_words(source: str | Path, kind: Kind = "list", *, record: bool = True) -> tuple[str, ...]:
    """A word or host list: one entry a line, ``#`` comments and blank lines skipped, order kept.

    ``record``: as for :func:`resolve`.
    """
    path = resolve(source, kind, record=record)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read list {source}: {exc}") from exc
    return tuple(s for s in (line.split("#", 1)[0].strip() for line in raw.splitlines()) if s)


def builtin_digest() -> str:
    """Digest of every packaged text table and list that code reads at import time.

    Name vocabularies, normalisation tables (confusables, teencode, negators) and packaged host
    lists are read once per process, often before any engine exists, so :func:`tracking` cannot
    see them; the fingerprint covers them through this digest instead. Models and the policy are
    not included (the engine records the ones it loads).
    """
    root = _data_root()
    text_root = Path(str(_resources.files("khien.text").joinpath("data")))
    parts = [("text/data", text_root), ("data/lists", root / "lists"), ("data/lexicons", root / "lexicons")]
    h = hashlib.sha256()
    for label, folder in parts:
        h.update(label.encode() + b"\0" + bytes.fromhex(digest(folder)))
    for name in ("patterns.tsv", "registry.yaml", "vocabulary.tsv"):
        h.update(name.encode() + b"\0" + bytes.fromhex(digest(root / name)))
    return h.hexdigest()
