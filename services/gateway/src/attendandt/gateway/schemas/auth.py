"""Sign-in: the bodies of login, refresh and set-password, the token pair and the signed-in user."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from attendandt.contracts.snapshots import UserRole
from attendandt.gateway.schemas.base import Body, Email, Secret


class LoginBody(Body, frozen=True, kw_only=True):
    email: Email
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class RefreshBody(Body, frozen=True, kw_only=True):
    refresh_token: Secret


class SetPasswordBody(Body, frozen=True, kw_only=True):
    """An invited (or reset) user chooses a password with the one-time token."""

    token: Secret
    new_password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class Me(msgspec.Struct, frozen=True, kw_only=True):
    user_id: str
    email: str
    name: str
    role: UserRole
    vendor_id: str | None = None
    enterprise_id: str | None = None
    #: What the role may do (the permission table), for the web app to show or hide actions.
    permissions: list[str]


class TokenPair(msgspec.Struct, frozen=True, kw_only=True):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 (the scheme, not a secret)
    #: Seconds until the access token expires.
    expires_in: int
    #: Single use: a refresh gives a new one; presenting a used one ends the session.
    refresh_token: str
    refresh_expires_at: datetime
    user: Me
