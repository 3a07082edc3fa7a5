"""Which webhook URLs Khiên may POST to: never an internal address, unless an admin allow-lists it.

A webhook URL is attacker-influenced (an admin key may leak, or a platform may paste what a user
gave it), so the server must not become a proxy into its own network. :meth:`AddressGuard.check`
is called when a webhook is registered and again before every delivery, and returns a
:class:`Target`: the host, port and path, and the addresses the host resolved to, every one of
which was checked. The deliverer connects to ``Target.addresses[0]`` itself (sending the name as
the Host header and TLS SNI), so a DNS answer that changes between the check and the connection
(DNS rebinding) cannot redirect it.

Refused: loopback, private (RFC 1918, fc00::/7), link-local (169.254/16, fe80::/10), unspecified,
multicast, reserved and documentation ranges, shared/CGNAT 100.64/10, cloud metadata addresses
(169.254.169.254, fd00:ec2::254), and anything else not globally routable; IPv4 embedded in IPv6
(``::ffff:127.0.0.1``, 6to4, Teredo, NAT64) is judged by its IPv4 address. IPv4 literals are read
the way ``inet_aton`` reads them (``0x7f000001``, ``2130706433``, ``0177.0.0.1``, ``127.1``), so
another spelling cannot slip past.

Contracts:

- A refused URL raises :class:`RefusedAddress` (an :class:`~khien.errors.InputError` with
  ``field="url"``); its message names the category (``loopback``) and never an address the
  resolver returned, so the error cannot be used to map internal hosts.
- :attr:`Refusal.reason` is a short fixed phrase; delivery errors store only that.
- The allow-list holds host names (matched exactly, case-insensitively), IP addresses and CIDR
  networks; a host allow-listed by name may resolve anywhere, otherwise every resolved address must
  be public or inside an allow-listed address/network.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

from ..errors import InputError

__all__ = ["AddressGuard", "Target", "RefusedAddress", "Resolver", "system_resolver", "legacy_ipv4",
           "blocked_category", "parse_allow_list"]

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Resolves (host, port) to the addresses the name stands for; raises OSError when it does not resolve.
Resolver = Callable[[str, int], list[str]]

_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class RefusedAddress(InputError):
    """A webhook URL Khiên will not send to; ``reason`` is a fixed phrase safe to store and show."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message, field="url",
                         hint="An admin may allow-list an intranet receiver with KHIEN_WEBHOOK_ALLOW_HOSTS.")
        self.reason = reason


def system_resolver(host: str, port: int) -> list[str]:
    """Every A and AAAA answer for ``host``, in the resolver's order, without IPv6 scope ids."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]
        if address not in seen:
            seen.append(address)
    return seen


def legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """``host`` read as ``inet_aton`` reads it (1–4 dot-separated decimal, 0-octal or 0x-hex parts),
    or None when it is not such a literal. ``0x7f000001``, ``2130706433`` and ``127.1`` are 127.0.0.1."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = []
    for part in parts:
        try:
            if part[:2].lower() == "0x":
                numbers.append(int(part[2:], 16) if part[2:] else 0)
            elif len(part) > 1 and part.startswith("0"):
                numbers.append(int(part, 8))
            elif part.isdigit():
                numbers.append(int(part, 10))
            else:
                return None
        except ValueError:
            return None
    # The last part fills every byte the earlier ones left: a.b.c.d, a.b.(16 bits), a.(24 bits), (32 bits).
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        return None
    value = 0
    for n in head:
        value = value * 256 + n
    value = value * 256 ** (4 - len(head)) + last
    return ipaddress.IPv4Address(value)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo client, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def blocked_category(ip: IP) -> str | None:
    """Why ``ip`` is internal (``"loopback"``, ``"private"``, ``"metadata"``...), or None if it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return blocked_category(embedded)
    if ip in _METADATA:
        return "metadata"
    checks = (("unspecified", ip.is_unspecified), ("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
              ("multicast", ip.is_multicast),
              ("CGNAT", isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED),
              ("reserved", ip.is_reserved), ("private", ip.is_private), ("not globally routable", not ip.is_global))
    return next((name for name, hit in checks if hit), None)


def parse_allow_list(text: str | None) -> tuple[frozenset[str], tuple[Network, ...]]:
    """``"hooks.noi-bo.vn, 127.0.0.1, 10.1.0.0/16"`` → (host names, networks). Empty entries are ignored."""
    names: set[str] = set()
    networks: list[Network] = []
    for entry in (text or "").split(","):
        entry = entry.strip().lower().strip("[]")
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.rstrip("."))
    return frozenset(names), tuple(networks)


@dataclass(frozen=True, slots=True)
class Target:
    """A checked webhook URL: where to connect (``addresses``, all checked) and what to ask for.

    ``host`` is the ASCII (IDNA) name, or the canonical IP for a literal; ``path`` includes the query.
    """

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        """The Host header: the name (bracketed if IPv6), with the port unless it is the scheme's default."""
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if _DEFAULT_PORTS[self.scheme] == self.port else f"{name}:{self.port}"

    def pinned_url(self) -> str:
        """The URL with the checked address in place of the name (the deliverer connects there)."""
        address = self.addresses[0]
        literal = f"[{address}]" if ":" in address else address
        return f"{self.scheme}://{literal}:{self.port}{self.path}"


class AddressGuard:
    """Checks webhook URLs against the internal ranges and the admin's allow-list.

    ``allow`` is the ``webhook_allow_hosts`` setting; ``resolve`` is injected so tests need no DNS.
    """

    def __init__(self, allow: str | None = None, *, resolve: Resolver = system_resolver) -> None:
        self.allowed_names, self.allowed_networks = parse_allow_list(allow)
        self.resolve = resolve

    def _allowed(self, ip: IP) -> bool:
        candidates: list[IP] = [ip]
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            candidates.append(ip.ipv4_mapped)
        return any(c in net for c in candidates for net in self.allowed_networks if c.version == net.version)

    def check(self, url: str) -> Target:
        """The :class:`Target` of ``url``, or :class:`RefusedAddress` saying why Khiên will not send there."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            raise RefusedAddress("url: not a valid http(s) URL", reason="invalid URL") from None
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise RefusedAddress("url: expected an http:// or https:// URL with a host", reason="invalid URL")
        if parts.username is not None or parts.password is not None:
            raise RefusedAddress("url: must not carry a user name or password; receivers check the "
                                 "Khien-Signature header instead", reason="invalid URL")
        try:
            # IDNA first: it folds full-width digits and dots, so "１２７.０.０.１" is judged as 127.0.0.1.
            host = parts.hostname.encode("idna").decode("ascii").lower().rstrip(".")
        except UnicodeError:
            raise RefusedAddress("url: the host name is not a valid domain name", reason="invalid URL") from None
        port = port or _DEFAULT_PORTS[scheme]
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

        literal: IP | None
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = legacy_ipv4(host)
        if literal is not None:
            host = str(literal)
            addresses = [host]
        else:
            try:
                addresses = self.resolve(host, port)
            except (OSError, UnicodeError):
                raise RefusedAddress(f"url: the host {host} does not resolve", reason="host did not resolve") from None
            if not addresses:
                raise RefusedAddress(f"url: the host {host} does not resolve", reason="host did not resolve")

        by_name = host in self.allowed_names
        for address in addresses:
            ip = ipaddress.ip_address(address)
            category = blocked_category(ip)
            if category and not by_name and not self._allowed(ip):
                what = "is" if literal is not None else "resolves to"
                article = "an" if category[0] in "aeiou" else "a"
                raise RefusedAddress(f"url: the host {host} {what} {article} {category} address; webhooks go only "
                                     "to public addresses", reason=f"address not allowed ({category})")
        return Target(scheme, host, port, path, tuple(addresses))
