"""Domain allow and block lists, read in the formats public feeds publish.

One entry a line (UTF-8; blank lines and ``#`` comments are ignored). Accepted entries:

- a host, ``vietcombank.com.vn``: matches that host and its subdomains;
- ``*.host``: matches the subdomains of ``host``, not ``host`` itself (the DNS meaning of a wildcard);
- a host with a path, ``example-bank.xyz/login``, or a full ``http(s)://`` URL: matches links on that
  host (exactly) whose path is that path or lies under it (``/login``, ``/login/otp``, not
  ``/login2``); a query in the entry must be present in the link's query (every ``key=value``);
- a hosts-file line, ``0.0.0.0 host`` or ``127.0.0.1 host [host ...]``: each host as above;
- a single IPv4 address (with or without a path): matches links to that address.

Hosts are lower-cased and IDNA-encoded (``cốccốc.vn`` and ``xn--cccc-0x5ac.vn`` are one entry), a
leading ``www.`` is dropped (links drop it too), ports and user names are ignored, and defanged
forms (``evil[.]xyz``, ``hxxps://``) are read. Paths are compared percent-decoded and case-folded.

A line that is still not usable (no host, a single-label name such as ``localhost``, an IP range,
a wildcard in the middle, an address that is not IPv4, text with spaces) is skipped, never fatal:
real feeds carry such lines, and one of them must not take a whole list down. The list counts
skipped lines and keeps the first few with their line numbers and reasons, so that whoever loads
it can report them (:meth:`DomainList.describe_skips`).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable
from urllib.parse import parse_qsl, unquote

from ..errors import InputError
from ..resources import resolve

__all__ = ["DomainList", "DomainMatch", "SkippedLine", "load_domain_list"]

SKIPS_KEPT = 5  # skipped lines kept with their reasons; the rest are only counted

_DEFANGS = (("[.]", "."), ("(.)", "."), ("{.}", "."), ("[dot]", "."), ("(dot)", "."), ("[:]", ":"), ("[://]", "://"))
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*)://", re.IGNORECASE)
_DEFANGED_SCHEME = re.compile(r"^h(?:xx|\*\*)p(s?)://", re.IGNORECASE)
_IPV4ISH = re.compile(r"^[\d.*]+$")
# 10.0.0.0/8, 10.0.0.1-10.0.0.9, 10.0.*.*
_IP_RANGE = re.compile(r"^[\d.]+/\d{1,2}$|^[\d.]+-[\d.]+$|^\d[\d.]*\*[\d.*]*$")
_LABEL = re.compile(r"^[\w-]{1,63}$")
_COMMENT = re.compile(r"(?:^|\s)#")


@dataclass(frozen=True, slots=True)
class SkippedLine:
    """A list line that could not be used: where it is, what it says, and why it was skipped."""

    source: str
    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text!r} ({self.reason})"


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: str  # host | wildcard | ip | path
    host: str  # canonical: lower case, IDNA (ASCII), no www.
    path: str = ""  # canonical: percent-decoded, case-folded, no trailing "/"
    query: frozenset[tuple[str, str]] = frozenset()
    text: str = ""  # as written, for reports


@dataclass(frozen=True, slots=True)
class DomainMatch:
    """The entry a link fell under. ``specificity`` orders matches: more host labels, then a longer path."""

    entry: str
    kind: str
    specificity: tuple[int, int]


class _Unusable(ValueError):
    """A list line that names nothing a link can match; the message is the reason."""


def _canonical_host(host: str) -> str:
    """Lower case, NFC, no trailing dot or leading ``www.``, IDNA-encoded: the form lists and links meet in.

    Raises :class:`ValueError` when a label cannot be IDNA-encoded.
    """
    host = unicodedata.normalize("NFC", host.strip().strip(".").lower())
    if host.startswith("www.") and host.count(".") >= 2:
        host = host[4:]
    if host.isascii():
        return host
    return ".".join(label if label.isascii() else label.encode("idna").decode("ascii") for label in host.split("."))


@lru_cache(maxsize=65536)
def _link_host(host: str) -> str:
    try:
        return _canonical_host(host)
    except (UnicodeError, ValueError):
        return host.lower().strip(".")


def _canonical_path(path: str) -> str:
    path = unicodedata.normalize("NFC", unquote(path)).casefold()
    return path.rstrip("/")


def _canonical_query(query: str) -> frozenset[tuple[str, str]]:
    return frozenset((k, unicodedata.normalize("NFC", v)) for k, v in parse_qsl(query, keep_blank_values=True))


def _parse_entry(token: str) -> _Entry:
    """One list entry (no spaces, no comment) as an entry; raises :class:`_Unusable` with the reason."""
    text = token
    for old, new in _DEFANGS:
        token = token.replace(old, new)
    token = _DEFANGED_SCHEME.sub(lambda m: f"http{m.group(1)}://", token)
    if _IP_RANGE.match(token):
        raise _Unusable("an IP range; only single addresses can be matched")
    scheme = _SCHEME.match(token)
    if scheme:
        if scheme.group(1).lower() not in ("http", "https"):
            raise _Unusable(f"a {scheme.group(1)}:// address; only http and https URLs are read")
        token = token[scheme.end():]
    cut = re.search(r"[/?#]", token)
    hostport, rest = (token[: cut.start()], token[cut.start():]) if cut else (token, "")
    host = hostport.rsplit("@", 1)[-1]
    if host.startswith("["):
        raise _Unusable("an IPv6 address; links are matched on IPv4 addresses and host names")
    host = re.sub(r":\d*$", "", host).strip(".")
    if not host:
        raise _Unusable("no host")
    rest = rest.split("#", 1)[0]
    path, _, query = rest.partition("?")
    path = _canonical_path(path)
    query_set = _canonical_query(query)
    kind = "path" if path or query_set else "host"
    if _IPV4ISH.match(host):
        try:
            ip = str(ipaddress.IPv4Address(host))
        except ValueError:
            raise _Unusable("neither an IPv4 address nor a host name") from None
        return _Entry("path" if kind == "path" else "ip", ip, path, query_set, text)
    if ":" in host:
        raise _Unusable("an IPv6 address; links are matched on IPv4 addresses and host names")
    if host.startswith("*."):
        if kind == "path":
            raise _Unusable("a wildcard with a path; write the host and path without '*.'")
        kind, host = "wildcard", host[2:]
    if "*" in host:
        raise _Unusable("a wildcard that is not a leading '*.' label")
    host = host.lstrip(".")  # ".example.com" (dnsmasq style) means the domain and its subdomains
    labels = host.split(".")
    if len(labels) < 2:
        raise _Unusable("a single-label name, not a public host")
    if not all(_LABEL.match(label) for label in labels):
        raise _Unusable("not a host name (a label is empty, too long or has characters hosts cannot have)")
    if labels[-1].isdigit():
        raise _Unusable("neither an IPv4 address nor a host name")
    try:
        host = _canonical_host(host)
    except (UnicodeError, ValueError):
        raise _Unusable("not a valid internationalised host name") from None
    return _Entry(kind, host, path, query_set, text)


def _split_line(line: str) -> list[str]:
    """The entries of one line: one token, or the names of a hosts-file line (``0.0.0.0 a.b c.d``)."""
    parts = line.split()
    if len(parts) == 1:
        return parts
    try:
        ipaddress.ip_address(parts[0].split("%", 1)[0])
    except ValueError:
        raise _Unusable("text with spaces; expected a host, a URL or a hosts-file line") from None
    if parts[1] == "-":
        raise _Unusable("an IP range; only single addresses can be matched")
    return parts[1:]


class DomainList:
    """A set of host, wildcard, address and host-plus-path entries, with what was skipped reading it."""

    def __init__(self, domains: Iterable[str] = (), name: str = "") -> None:
        self.name = name
        self._hosts: dict[str, str] = {}
        self._wildcards: dict[str, str] = {}
        self._ips: dict[str, str] = {}
        self._paths: dict[str, list[_Entry]] = {}
        self.lines = 0  # lines read, blank and comment lines included
        self.skipped_count = 0
        self.skipped: list[SkippedLine] = []
        for lineno, line in enumerate(domains, start=1):
            self._read_line(line, lineno)

    def _read_line(self, raw: str, lineno: int) -> None:
        self.lines += 1
        line = _COMMENT.split(raw, 1)[0].strip()  # a '#' inside a URL (its fragment) is not a comment
        if not line:
            return
        try:
            entries = [_parse_entry(token) for token in _split_line(line)]
        except _Unusable as exc:
            self._skip(lineno, raw.strip(), str(exc))
            return
        for entry in entries:
            self._add(entry)

    def _skip(self, lineno: int, text: str, reason: str) -> None:
        self.skipped_count += 1
        if len(self.skipped) < SKIPS_KEPT:
            self.skipped.append(SkippedLine(self.name, lineno, text[:200], reason))

    def _add(self, entry: _Entry) -> None:
        if entry.kind == "host":
            self._hosts.setdefault(entry.host, entry.text)
        elif entry.kind == "wildcard":
            self._wildcards.setdefault(entry.host, entry.text)
        elif entry.kind == "ip":
            self._ips.setdefault(entry.host, entry.text)
        else:
            self._paths.setdefault(entry.host, []).append(entry)

    def __len__(self) -> int:
        return len(self._hosts) + len(self._wildcards) + len(self._ips) + sum(len(v) for v in self._paths.values())

    def __contains__(self, host: str) -> bool:
        return self.match(host) is not None

    def match(self, host: str, path: str = "") -> str | None:
        """The entry (as written) that ``host`` with ``path`` (``/a/b?q=1``) falls under, or ``None``."""
        found = self.lookup(host, path)
        return found.entry if found else None

    def lookup(self, host: str, path: str = "") -> DomainMatch | None:
        """The most specific entry ``host`` with ``path`` falls under, or ``None``.

        A host-plus-path entry names one host exactly, so it outranks the host entries above it.
        """
        host = _link_host(host)
        if not host:
            return None
        labels = host.split(".")
        rules = self._paths.get(host)
        if rules:
            link_path, _, link_query = path.split("#", 1)[0].partition("?")
            lp = _canonical_path(link_path)
            lq = _canonical_query(link_query) if link_query else frozenset()
            best = None
            for rule in rules:
                if (lp == rule.path or lp.startswith(rule.path + "/") or not rule.path) and rule.query <= lq:
                    if best is None or len(rule.path) > len(best.path):
                        best = rule
            if best is not None:
                return DomainMatch(best.text, "path", (len(labels), len(best.path) + 1))
        if host in self._ips:
            return DomainMatch(self._ips[host], "ip", (4, 0))
        if _IPV4ISH.match(host):
            return None
        for i in range(len(labels) - 1):
            candidate = ".".join(labels[i:])
            if candidate in self._hosts:
                return DomainMatch(self._hosts[candidate], "host", (len(labels) - i, 0))
            if i > 0 and candidate in self._wildcards:
                return DomainMatch(self._wildcards[candidate], "wildcard", (len(labels) - i + 1, 0))
        return None

    def describe_skips(self) -> str:
        """One line for an operator: how many lines were skipped and the first few with their reasons."""
        if not self.skipped_count:
            return ""
        shown = "; ".join(str(s) for s in self.skipped)
        more = f"; and {self.skipped_count - len(self.skipped)} more" if self.skipped_count > len(self.skipped) else ""
        return (f"domain list {self.name or '(unnamed)'}: skipped {self.skipped_count} unusable "
                f"line{'s' if self.skipped_count != 1 else ''} of {self.lines}: {shown}{more}")

    def __or__(self, other: "DomainList") -> "DomainList":
        merged = DomainList(name=self.name or other.name)
        for part in (self, other):
            for table in ("_hosts", "_wildcards", "_ips"):
                for key, text in getattr(part, table).items():
                    getattr(merged, table).setdefault(key, text)
            for key, rules in part._paths.items():
                merged._paths.setdefault(key, []).extend(rules)
            merged.lines += part.lines
            merged.skipped_count += part.skipped_count
            merged.skipped.extend(part.skipped[: SKIPS_KEPT - len(merged.skipped)])
        return merged


def load_domain_list(source: str | Path) -> DomainList:
    """Load a list from a path, or ``packaged:NAME`` for a list shipped in ``khien/data/lists``.

    Raises :class:`InputError` only when the file cannot be read; unusable lines are skipped and
    recorded on the list (``skipped_count``, ``skipped``, :meth:`DomainList.describe_skips`).
    """
    text_source = str(source)
    try:
        raw = resolve(source, "list").read_text(encoding="utf-8-sig")
    except InputError as exc:
        raise InputError(f"cannot read domain list {text_source}: {exc.message}",
                         hint=exc.hint or "Give a UTF-8 text file, one host, URL or hosts-file line a line.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read domain list {text_source}: {exc}",
                         hint="Give a UTF-8 text file, one host, URL or hosts-file line a line.") from exc
    return DomainList(raw.splitlines(), text_source)
