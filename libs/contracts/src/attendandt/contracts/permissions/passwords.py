"""Passwords of the NATS users: made here, read by nats-server from its environment, given to
each process as its credentials."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from attendandt.contracts.permissions.principals import EXAMPLE_HOTEL_SYSTEMS, HotelSystem
from attendandt.contracts.permissions.service_users import USERS


def new_password() -> str:
    """A random password nats-server can take from a `$VARIABLE`: its config parser fails on a
    value that starts with `-` (or reads one of digits alone as a number), so it starts with a
    letter."""
    return "n" + secrets.token_urlsafe(24)


def usable_password(password: str) -> bool:
    """Whether nats-server's config parser takes this value from a variable as a string."""
    return bool(password) and password[0].isalpha()


def password_variable(user: str, *, hotel: bool = False) -> str:
    """The environment variable nats-server reads the user's password from."""
    return "NATS_" + ("HOTEL_" if hotel else "") + user.upper().replace("-", "_") + "_PASSWORD"


def password_variables(hotel_systems: Iterable[HotelSystem] = EXAMPLE_HOTEL_SYSTEMS) -> list[str]:
    """Every `$NATS_..._PASSWORD` variable `render_accounts` refers to."""
    return [password_variable(u.name) for u in USERS] + [
        password_variable(s.name, hotel=True) for s in hotel_systems
    ]


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str = field(repr=False)


def service_env(credentials: Credentials) -> Mapping[str, str]:
    """The environment a process gets to connect as `credentials` (platform NatsSettings)."""
    return {"NATS_USER": credentials.user, "NATS_PASSWORD": credentials.password}
