"""The protected-entity registry: what a platform or an organisation protects from impersonation.

A registry is YAML::

    entities:
      - id: vietcombank
        kind: bank            # bank | government | company | media | person | other
        names: ["Vietcombank", "Ngân hàng TMCP Ngoại thương Việt Nam", "VCB"]
        handles: ["vietcombank"]          # official handles: never flagged
        domains: ["vietcombank.com.vn"]   # official registrable domains: never flagged
        avatars: ["logos/vcb.png"]        # optional; paths relative to the registry file

Loading validates everything and fails with a :class:`~khien.errors.RegistryError` that names
the entity and the field (duplicate id, missing names, bad kind, unreadable avatar image), so a
broken registry is found at ``khien registry check`` and never at matching time.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from ..errors import InputError, RegistryError
from ..resources import is_packaged, resolve

__all__ = ["Entity", "Registry", "load_registry", "parse_registry", "registry_digest", "KINDS", "PACKAGED_DEFAULT"]

KINDS = ("bank", "government", "company", "media", "person", "other")
PACKAGED_DEFAULT = "packaged:default"
_FIELDS = ("id", "kind", "names", "handles", "domains", "avatars", "parent", "note")
_ID = re.compile(r"[a-z0-9][a-z0-9_.\-]{0,63}")
_DOMAIN = re.compile(r"(?:[a-z0-9\u00c0-\u1ef9](?:[a-z0-9\u00c0-\u1ef9-]{0,61}[a-z0-9\u00c0-\u1ef9])?\.)+[a-z]{2,24}")


@dataclass(frozen=True, slots=True)
class Entity:
    """One protected organisation or person."""

    id: str
    kind: str
    names: tuple[str, ...]
    handles: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    avatars: tuple[str, ...] = ()
    avatar_hashes: tuple[int, ...] = field(default=(), repr=False)
    parent: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "kind": self.kind, "names": list(self.names)}
        for key in ("handles", "domains", "avatars"):
            if getattr(self, key):
                out[key] = list(getattr(self, key))
        if self.parent:
            out["parent"] = self.parent
        return out


@dataclass(frozen=True, slots=True)
class Registry:
    """A validated set of entities, in file order, with their official handles and domains."""

    entities: tuple[Entity, ...]
    source: str = "<memory>"

    def __len__(self) -> int:
        return len(self.entities)

    def get(self, entity_id: str) -> Entity | None:
        for entity in self.entities:
            if entity.id == entity_id:
                return entity
        return None

    @property
    def official_handles(self) -> dict[str, str]:
        """Every official handle (normalised) and the entity it belongs to."""
        return {normalise_handle(h): e.id for e in self.entities for h in e.handles}

    @property
    def official_domains(self) -> dict[str, str]:
        """Every official domain (lower case, no ``www.``) and the entity it belongs to."""
        return {normalise_domain(d): e.id for e in self.entities for d in e.domains}


def normalise_handle(handle: str) -> str:
    """``@VietcomBank`` and ``vietcombank`` are the same handle."""
    return handle.strip().lstrip("@").lower()


def normalise_domain(domain: str) -> str:
    domain = domain.strip().lower().rstrip(".")
    domain = re.sub(r"^[a-z]+://", "", domain).split("/")[0]
    return domain[4:] if domain.startswith("www.") else domain


def _where(index: int, raw: Any) -> str:
    ident = raw.get("id") if isinstance(raw, Mapping) else None
    return f"entity '{ident}' (entry {index + 1})" if isinstance(ident, str) and ident else f"entry {index + 1}"


def _strings(raw: Mapping[str, Any], key: str, where: str, source: str, *, required: bool = False) -> tuple[str, ...]:
    value = raw.get(key)
    if value is None:
        if required:
            raise RegistryError(
                f"{source}: {where}: field '{key}' is required and must list at least one name",
                field=key,
                hint="Add e.g. names: [\"Vietcombank\"].",
            )
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RegistryError(f"{source}: {where}: field '{key}' must be a list of non-empty strings", field=key)
    if required and not value:
        raise RegistryError(f"{source}: {where}: field '{key}' must list at least one name", field=key)
    seen: list[str] = []
    for v in value:
        if v.strip() not in seen:
            seen.append(v.strip())
    return tuple(seen)


def parse_registry(document: Any, *, source: str = "<memory>", base: Path | None = None,
                   hash_avatars: bool = True) -> Registry:
    """Validate a decoded registry document. ``base`` resolves relative avatar paths."""
    if not isinstance(document, Mapping) or "entities" not in document:
        raise RegistryError(
            f"{source}: a registry must be a mapping with an 'entities' list",
            hint="Start the file with 'entities:' followed by '- id: ...' entries.",
        )
    raw_entities = document["entities"]
    if not isinstance(raw_entities, list) or not raw_entities:
        raise RegistryError(f"{source}: 'entities' must be a non-empty list", field="entities")
    entities: list[Entity] = []
    seen_ids: dict[str, int] = {}
    domain_owner: dict[str, str] = {}
    for index, raw in enumerate(raw_entities):
        where = _where(index, raw)
        if not isinstance(raw, Mapping):
            raise RegistryError(f"{source}: {where}: an entity must be a mapping, found {type(raw).__name__}")
        unknown = sorted(set(raw) - set(_FIELDS))
        if unknown:
            raise RegistryError(
                f"{source}: {where}: unknown field '{unknown[0]}'",
                field=unknown[0],
                hint=f"Valid fields: {', '.join(_FIELDS)}.",
            )
        ident = raw.get("id")
        if isinstance(ident, int) and not isinstance(ident, bool):
            ident = str(ident)
        if not isinstance(ident, str) or not _ID.fullmatch(ident):
            raise RegistryError(
                f"{source}: {where}: field 'id' must be a short lower-case identifier (letters, digits, . _ -), "
                f"found {ident!r}",
                field="id",
            )
        if ident in seen_ids:
            raise RegistryError(
                f"{source}: {where}: duplicate id '{ident}' (first used by entry {seen_ids[ident] + 1})",
                field="id",
                hint="Every entity needs its own id; merge the two entries or rename one.",
            )
        seen_ids[ident] = index
        kind = raw.get("kind", "other")
        if kind not in KINDS:
            raise RegistryError(
                f"{source}: {where}: field 'kind' must be one of {', '.join(KINDS)}, found {kind!r}",
                field="kind",
            )
        names = _strings(raw, "names", where, source, required=True)
        handles = tuple(normalise_handle(h) for h in _strings(raw, "handles", where, source))
        domains = []
        for d in _strings(raw, "domains", where, source):
            nd = normalise_domain(d)
            if not _DOMAIN.fullmatch(nd):
                raise RegistryError(f"{source}: {where}: field 'domains' has an invalid domain {d!r}", field="domains")
            if nd in domain_owner and domain_owner[nd] != ident:
                raise RegistryError(
                    f"{source}: {where}: domain '{nd}' is already official for entity '{domain_owner[nd]}'",
                    field="domains",
                )
            domain_owner[nd] = ident
            domains.append(nd)
        avatars = _strings(raw, "avatars", where, source)
        hashes: tuple[int, ...] = ()
        if avatars and hash_avatars:
            from .avatars import hash_image

            computed = []
            for path in avatars:
                full = Path(path) if base is None or Path(path).is_absolute() else base / path
                try:
                    computed.append(hash_image(full))
                except RegistryError as exc:
                    raise RegistryError(
                        f"{source}: {where}: field 'avatars': {exc.message}", field="avatars",
                        hint="Check the path (relative to the registry file) and that it is a PNG, JPEG, GIF or WebP image.",
                    ) from exc
            hashes = tuple(computed)
        parent = raw.get("parent")
        if parent is not None and not isinstance(parent, str):
            raise RegistryError(f"{source}: {where}: field 'parent' must be an entity id", field="parent")
        entities.append(Entity(ident, kind, names, handles, tuple(domains), avatars, hashes, parent))
    for entity in entities:
        if entity.parent and entity.parent not in seen_ids:
            raise RegistryError(
                f"{source}: entity '{entity.id}': field 'parent' names unknown entity '{entity.parent}'", field="parent"
            )
    return Registry(tuple(entities), source)


def load_registry(source: str | Path = PACKAGED_DEFAULT, *, hash_avatars: bool = True) -> Registry:
    """Read and validate a registry file, or the packaged one (``"packaged:default"``)."""
    try:
        path = resolve(source, "registry")
    except InputError as exc:
        if is_packaged(source):
            name = str(source).split(":", 1)[1] or "default"
            raise RegistryError(f"no packaged registry named '{name}'", hint="Use 'packaged:default' or a file path.") from exc
        raise RegistryError(f"registry file {Path(source)} does not exist") from exc
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"cannot read registry file {path}: {exc}") from exc
    if is_packaged(source):
        base, label = None, str(source)
    else:
        base, label = path.parent, str(path)
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise RegistryError(f"{label}: not valid YAML{at}: {getattr(exc, 'problem', None) or exc}") from exc
    return parse_registry(document, source=label, base=base, hash_avatars=hash_avatars)


def registry_digest(registry: Registry) -> str:
    """sha256 of a registry's entities (names, handles, domains, avatar hashes), however it was loaded."""
    rows = [e.to_dict() | {"avatar_hashes": list(e.avatar_hashes)} for e in registry.entities]
    return hashlib.sha256(json.dumps(rows, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def entities_from(rows: Iterable[Mapping[str, Any]]) -> Registry:
    """A registry from already-decoded entity mappings (tests, benchmarks)."""
    return parse_registry({"entities": list(rows)}, hash_avatars=False)
