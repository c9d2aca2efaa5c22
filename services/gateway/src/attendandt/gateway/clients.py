"""Who the client is: the direct peer, or, when that peer is one of our proxies
(`FORWARDED_ALLOW_IPS`), the address the proxies say they were reached from.

Anyone can send `X-Forwarded-For: <anything>`; only what our own proxies appended can be
believed. Each proxy appends the address it was reached from, so the list is read from the
right: the direct peer first, then each forwarded entry, skipping our proxies; the first
address that is not one of ours is the client (the right-most untrusted address). Entries to
its left were written by the client itself and are ignored. Only the one header the proxies
are configured to write (`FORWARDED_HEADER`: `x-forwarded-for` or `forwarded`) is read: a
proxy that maintains one passes the other through untouched, so reading both would let a
client pick its own address.

`ForwardedClientMiddleware` rewrites the ASGI scope's `client` (and `scheme`, from
`X-Forwarded-Proto` or `proto=`) before anything else reads them; the server must not do the
same (uvicorn runs with `proxy_headers=False`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
ForwardedHeader = Literal["x-forwarded-for", "forwarded"]

_FOR = re.compile(r'(?:^|;)\s*for\s*=\s*("(?:[^"\\]|\\.)*"|[^;,\s]*)', re.IGNORECASE)
_PROTO = re.compile(r'(?:^|;)\s*proto\s*=\s*("[^"]*"|[^;,\s]*)', re.IGNORECASE)


def parse_networks(value: str) -> tuple[Network, ...]:
    """`FORWARDED_ALLOW_IPS`: comma-separated addresses or CIDR networks (ValueError if not)."""
    networks: list[Network] = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ValueError(f"{item!r} is not an IP address or CIDR network") from exc
    return tuple(networks)


def parse_address(value: str) -> Address | None:
    """An address from a forwarded entry: bare, `v4:port`, `[v6]` or `[v6]:port`."""
    text = value.strip().strip('"')
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else text[1:]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class ClientResolver:
    trusted: tuple[Network, ...] = ()
    header: ForwardedHeader = "x-forwarded-for"

    def is_trusted(self, host: str | None) -> bool:
        address = parse_address(host) if host else None
        return address is not None and any(address in network for network in self.trusted)

    def forwarded_for(self, values: Sequence[str]) -> list[str]:
        """The forwarded addresses, left (the origin) to right (the last proxy's peer)."""
        entries: list[str] = []
        for value in values:
            if self.header == "forwarded":
                for element in value.split(","):
                    match = _FOR.search(element)
                    if match:
                        entries.append(match.group(1).strip('"'))
            else:
                entries.extend(part.strip() for part in value.split(",") if part.strip())
        return entries

    def client(self, peer: str | None, headers: Iterable[tuple[str, str]]) -> str | None:
        """The client's address (see the module docstring)."""
        if not self.trusted or not self.is_trusted(peer):
            return peer
        values = [value for name, value in headers if name == self.header]
        entries = self.forwarded_for(values)
        # Right to left; the first entry that is not one of our proxies is the client. One
        # that is not even an address (`unknown`, an obfuscated name) was written by the
        # proxy nearest to it all the same: it is the client's label.
        for entry in reversed(entries):
            if not self.is_trusted(entry):
                address = parse_address(entry)
                return str(address) if address is not None else entry[:64]
        # Every hop is ours (or nothing was forwarded): the left-most one we know of.
        return str(parse_address(entries[0])) if entries else peer

    def scheme(self, peer: str | None, headers: Iterable[tuple[str, str]]) -> str | None:
        """The scheme the last proxy was reached with, when the peer is one of ours."""
        if not self.trusted or not self.is_trusted(peer):
            return None
        for name, value in headers:
            if self.header == "x-forwarded-for" and name == "x-forwarded-proto":
                proto = value.split(",")[-1].strip().lower()
            elif self.header == "forwarded" and name == "forwarded":
                match = _PROTO.search(value.split(",")[-1])
                proto = match.group(1).strip('"').lower() if match else ""
            else:
                continue
            if proto in ("http", "https"):
                return proto
        return None


class ForwardedClientMiddleware:
    """Plain ASGI middleware: `scope["client"]` becomes the resolved client."""

    def __init__(self, app: ASGIApp, resolver: ClientResolver) -> None:
        self.app = app
        self.resolver = resolver

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in (ScopeType.HTTP, ScopeType.WEBSOCKET) and self.resolver.trusted:
            client = scope.get("client")
            peer = client[0] if client else None
            if self.resolver.is_trusted(peer):
                headers = [
                    (name.decode("latin-1").lower(), value.decode("latin-1"))
                    for name, value in scope.get("headers", ())
                ]
                host = self.resolver.client(peer, headers)
                if host is not None and host != peer:
                    scope["client"] = (host, 0)
                scheme = self.resolver.scheme(peer, headers)
                if scheme is not None and scope["type"] == ScopeType.HTTP:
                    scope["scheme"] = scheme
        await self.app(scope, receive, send)
