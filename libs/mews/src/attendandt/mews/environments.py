"""Mews environments (where to send requests) and credentials (what to send in every body)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import ClassVar


@dataclass(frozen=True)
class Environment:
    """A Connector API deployment: the REST ``PlatformAddress`` and the WebSocket address."""

    name: str
    base_url: str
    websocket_url: str | None = None

    @classmethod
    def custom(cls, base_url: str, *, name: str = "custom") -> Environment:
        """Any other deployment speaking the Connector API, e.g. a local simulator."""
        return cls(name=name, base_url=base_url.rstrip("/"))


DEMO = Environment("demo", "https://api.mews-demo.com", "wss://ws.mews-demo.com")
PRODUCTION = Environment("production", "https://api.mews.com", "wss://ws.mews.com")

ENVIRONMENTS: dict[str, Environment] = {DEMO.name: DEMO, PRODUCTION.name: PRODUCTION}


def resolve_environment(value: str | Environment) -> Environment:
    """``"demo"``, ``"production"``, an ``http(s)://`` base URL, or an ``Environment``."""
    if isinstance(value, Environment):
        return value
    known = ENVIRONMENTS.get(value.strip().lower())
    if known is not None:
        return known
    if value.startswith(("http://", "https://")):
        return Environment.custom(value)
    raise ValueError(
        f"unknown Mews environment {value!r}: use 'demo', 'production' or an http(s) base URL"
    )


@dataclass(frozen=True)
class PortfolioScope:
    """The one property of a Portfolio Access Token a client acts for: every request names
    it (`EnterpriseId(s)`, or its chain's `ChainId(s)` for customers and companies)."""

    enterprise_id: str
    chain_id: str | None = None


@dataclass(frozen=True)
class Credentials:
    """``ClientToken`` + ``AccessToken`` of one connection. Tokens never appear in ``repr``.

    ``scope``: set for a client of one property of a Portfolio Access Token (None: the token
    opens one enterprise, and requests name none)."""

    client_token: str = field(repr=False)
    access_token: str = field(repr=False)
    label: str = ""
    scope: PortfolioScope | None = None

    @property
    def access_token_hint(self) -> str:
        """A short non-secret tag for logs and limiter keys (a hash prefix, no token characters)."""
        return hashlib.sha256(self.access_token.encode()).hexdigest()[:10]

    @property
    def portfolio_property(self) -> str | None:
        """The enterprise a portfolio token's client acts for (its share of the token's one
        budget is that property's); None for a token of one enterprise."""
        return self.scope.enterprise_id if self.scope is not None else None

    def scoped(self, enterprise_id: str, chain_id: str | None) -> Credentials:
        """The same tokens, for one property of the portfolio the token opens."""
        return replace(
            self,
            label=f"{self.label}/{enterprise_id[:8]}",
            scope=PortfolioScope(enterprise_id, chain_id),
        )


_GROSS_CLIENT_1 = "E0D439EE522F44368DC78E1BFB03710C-D24FB11DBE31D4621C4817E028D9E1D"
_CLIENT_2 = "E916C341431C4D28A866AD200152DBD3-A046EB5583FFBE94DE1172237763712"
_CLIENT_3 = "2CC71B0660F345019882AD200155B4FE-4A1FC9080A4DD2A404734003674F77E"
_CLIENT_4 = "07AB1F14B55C49B8BDD6AD200158423B-273A4497AFF5E20566D7199DB3DC2BA"


class DemoTokens:
    """The public token pairs Mews publishes for its shared demo environment.

    They are public values: anyone may use them, so never send real personal data with them.
    ``GROSS_*`` connect to the Gross-pricing (UK) demo enterprise, ``NET_*`` to the Net-pricing
    (US, Washington DC) one. Shared tokens get 429s caused by other developers; switch pairs then.
    """

    GROSS_1: ClassVar[Credentials] = Credentials(
        _GROSS_CLIENT_1,
        "C66EF7B239D24632943D115EDE9CB810-EA00F8FD8294692C940F6B5A8F9453D",
        "demo gross: Are you ready to integrate with Mews?",
    )
    GROSS_2: ClassVar[Credentials] = Credentials(
        _CLIENT_2,
        "CC150C355D6A4048A220AD20015483AB-B6D09C0C84B09538077CB8FFBB907B4",
        "demo gross: Connector API Test Client 2",
    )
    GROSS_3: ClassVar[Credentials] = Credentials(
        _CLIENT_3,
        "5F56B9903A834F199E28AD20015E58CA-5C6A1A00550634911534AD6A098E8B7",
        "demo gross: Connector API Test Client 3",
    )
    GROSS_4: ClassVar[Credentials] = Credentials(
        _CLIENT_4,
        "39E301DD5A1C4A569087AD20015F60DD-50DC28896E9090CCA0995C9BBD90351",
        "demo gross: Connector API Test Client 4",
    )
    NET_1: ClassVar[Credentials] = Credentials(
        _GROSS_CLIENT_1,
        "4D6C7ABE0E6A4681B0AFB16900AE5D86-DF50CBC89E1D4FF5859DDF021649ED5",
        "demo net: Are you ready to integrate with Mews?",
    )
    NET_2: ClassVar[Credentials] = Credentials(
        _CLIENT_2,
        "1AEFA58C55E74D65BDC7AD2001564C12-66633E0B736F523379B9E5966165A55",
        "demo net: Connector API Test Client 2",
    )
    NET_3: ClassVar[Credentials] = Credentials(
        _CLIENT_3,
        "682C235379B64D909941AD2001577525-BFC60A026081F1350FAA99CAB9F7510",
        "demo net: Connector API Test Client 3",
    )
    NET_4: ClassVar[Credentials] = Credentials(
        _CLIENT_4,
        "BFD4298010F54B069F3DAD20015D53EA-D5561FADFBA4EFC8EA4C179C6BC461F",
        "demo net: Connector API Test Client 4",
    )

    @classmethod
    def names(cls) -> list[str]:
        return [name for name in vars(cls) if name.startswith(("GROSS_", "NET_"))]

    @classmethod
    def named(cls, name: str) -> Credentials:
        """Look a pair up by name, case-insensitively: ``DemoTokens.named("gross_2")``."""
        key = name.strip().upper().replace("-", "_")
        if key not in cls.names():
            raise KeyError(f"no demo token pair {name!r}; known: {', '.join(cls.names())}")
        value = getattr(cls, key)
        assert isinstance(value, Credentials)
        return value


__all__ = [
    "DEMO",
    "ENVIRONMENTS",
    "PRODUCTION",
    "Credentials",
    "DemoTokens",
    "Environment",
    "resolve_environment",
]
