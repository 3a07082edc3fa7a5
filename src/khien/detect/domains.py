"""Domain allow and block lists.

File format (UTF-8 text): one registrable domain or host a line (``vietcombank.com.vn``), defanged
forms accepted (``evil[.]xyz``); blank lines and ``#`` comments are ignored. A host matches an
entry when it equals it or is a subdomain of it.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Iterable

from ..errors import InputError

__all__ = ["DomainList", "load_domain_list"]


class DomainList:
    def __init__(self, domains: Iterable[str] = (), name: str = "") -> None:
        self.name = name
        self._domains = {d.lower().strip(".") for d in domains if d}

    def __len__(self) -> int:
        return len(self._domains)

    def __contains__(self, host: str) -> bool:
        return self.match(host) is not None

    def match(self, host: str) -> str | None:
        """The entry ``host`` falls under, or ``None``."""
        parts = host.lower().strip(".").split(".")
        for i in range(len(parts) - 1):
            candidate = ".".join(parts[i:])
            if candidate in self._domains:
                return candidate
        return None

    def __or__(self, other: "DomainList") -> "DomainList":
        return DomainList(self._domains | other._domains, self.name or other.name)


def load_domain_list(source: str | Path) -> DomainList:
    """Load a list from a path, or ``packaged:NAME`` for a list shipped in ``khien/data/lists``."""
    text_source = str(source)
    try:
        if text_source.startswith("packaged:"):
            raw = resources.files("khien.data").joinpath("lists", text_source[9:] + ".txt").read_text("utf-8")
        else:
            raw = Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read domain list {text_source}: {exc}", hint="Give a UTF-8 text file, one domain a line.") from exc
    domains = []
    for lineno, line in enumerate(raw.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip().lower().replace("[.]", ".").replace("(.)", ".")
        if not entry:
            continue
        if " " in entry or "/" in entry or "." not in entry:
            raise InputError(f"{text_source}:{lineno}: {entry!r} is not a domain", hint="Write one domain a line, e.g. example.com.vn.")
        domains.append(entry)
    return DomainList(domains, text_source)
