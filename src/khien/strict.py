"""Typed configuration that refuses typos at load.

Policies, detector configs and settings are read from YAML or the environment. A misspelt key
(``min_scor``) or a value of the wrong type must fail when the file is loaded, naming the path and
suggesting the nearest valid name, never load silently and change nothing. Config classes are frozen
dataclasses; :func:`parse` checks a mapping against one, field by field, from its type hints.

Supported field types: ``str``, ``int``, ``float`` (an int is accepted), ``bool`` (only true/false),
``Path``, enums (by value), ``Literal[...]``, ``X | None``, ``tuple[X, ...]`` and ``list[X]``,
``Mapping[str, X]`` / ``dict[str, X]``, nested config dataclasses and ``Any`` (taken as it is).
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import types
import typing
from collections import abc
from pathlib import Path
from typing import Any, Iterable, Mapping, TypeVar

from .errors import KhienError

__all__ = ["ConfigError", "nearest", "unknown_key", "check_keys", "parse", "field_names"]

T = TypeVar("T")


class ConfigError(KhienError):
    """A configuration value (policy, detector config, setting) is unknown or of the wrong type."""

    code = "khien.config"


def nearest(name: str, valid: Iterable[str]) -> str | None:
    """The valid name closest to ``name``, if one is close enough to be what was meant."""
    found = difflib.get_close_matches(name, sorted(valid), n=1, cutoff=0.6)
    return found[0] if found else None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def unknown_key(key: str, valid: Iterable[str], path: str = "") -> str:
    """``rules[2].when.min_scor: unknown key; did you mean `min_score`?`` (or the list of valid keys)."""
    valid = sorted(valid)
    guess = nearest(key, valid)
    where = _join(path, key)
    if guess:
        return f"{where}: unknown key; did you mean `{guess}`?"
    return f"{where}: unknown key; valid keys: {', '.join(valid) or '(none)'}"


def check_keys(mapping: Mapping[str, Any], valid: Iterable[str], path: str = "",
               error: type[KhienError] = ConfigError) -> None:
    """Raise ``error`` for the first key of ``mapping`` that is not in ``valid``."""
    valid = set(valid)
    for key in mapping:
        if key not in valid:
            raise error(unknown_key(str(key), valid, path), field=_join(path, str(key)))


def field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if f.init)


def _describe(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if tp is str:
        return "a text"
    if tp is bool:
        return "true or false"
    if tp is int:
        return "an integer"
    if tp is float:
        return "a number"
    if tp is Path:
        return "a path"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "one of " + ", ".join(repr(m.value) for m in tp)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) if a is not type(None) else "null" for a in typing.get_args(tp))
    if origin in (tuple, list):
        return f"a list of {_describe(typing.get_args(tp)[0]).removeprefix('a ').removeprefix('an ')}s"
    if origin in (dict, abc.Mapping) or tp in (dict, Mapping, abc.Mapping):
        return "a mapping"
    if dataclasses.is_dataclass(tp):
        return "a mapping"
    return getattr(tp, "__name__", str(tp))


def _found(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def _convert(value: Any, tp: Any, path: str, error: type[KhienError]) -> Any:
    def bad() -> KhienError:
        return error(f"{path}: expected {_describe(tp)}, found {_found(value)}", field=path or None)

    if tp is Any:
        return value
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        last: KhienError | None = None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(value, arg, path, error)
            except KhienError as exc:
                last = exc
        if len([a for a in args if a is not type(None)]) == 1 and last is not None:
            raise last
        raise bad()
    if origin is typing.Literal:
        if value in typing.get_args(tp):
            return value
        raise bad()
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError:
            guess = nearest(str(value), [str(m.value) for m in tp])
            raise error(f"{path}: expected {_describe(tp)}, found {value!r}"
                        + (f"; did you mean `{guess}`?" if guess else ""), field=path or None) from None
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise bad()
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise bad()
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise bad()
    if tp is str:
        if isinstance(value, str):
            return value
        raise bad()
    if tp is Path:
        if isinstance(value, (str, Path)):
            return Path(value)
        raise bad()
    if origin in (tuple, list):
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            raise bad()
        args = typing.get_args(tp)
        item = args[0] if args else Any
        converted = [_convert(v, item, f"{path}[{n}]", error) for n, v in enumerate(value)]
        return tuple(converted) if origin is tuple else converted
    if origin in (dict, abc.Mapping) or tp in (dict, Mapping, abc.Mapping):
        if not isinstance(value, Mapping):
            raise bad()
        args = typing.get_args(tp)
        vt = args[1] if len(args) == 2 else Any
        return {str(k): _convert(v, vt, _join(path, str(k)), error) for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        return parse(tp, value, path, error=error)
    if isinstance(tp, type) and isinstance(value, tp):
        return value
    raise bad()


def parse(cls: type[T], mapping: Any, path: str = "", *, error: type[KhienError] = ConfigError) -> T:
    """Build the config dataclass ``cls`` from ``mapping``, refusing unknown keys and wrong types.

    Missing keys take the dataclass defaults; a field without a default is required.
    """
    if mapping is None:
        mapping = {}
    if dataclasses.is_dataclass(mapping) and isinstance(mapping, cls):
        return mapping
    if not isinstance(mapping, Mapping):
        raise error(f"{path or 'config'}: expected a mapping, found {_found(mapping)}", field=path or None)
    hints = typing.get_type_hints(cls)
    init_fields = [f for f in dataclasses.fields(cls) if f.init]
    check_keys(mapping, [f.name for f in init_fields], path, error)
    values: dict[str, Any] = {}
    for f in init_fields:
        where = _join(path, f.name)
        if f.name not in mapping:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:  # type: ignore[misc]
                raise error(f"{where}: required ({_describe(hints[f.name])})", field=where)
            continue
        values[f.name] = _convert(mapping[f.name], hints[f.name], where, error)
    return cls(**values)
