"""One Postgres role and one schema per service: a service cannot touch another's data.

`provision(admin_url, schema=..., role=..., password=...)` is idempotent: it creates the
role (LOGIN, no other rights), the schema owned by it, and takes away what every role gets
by default (CREATE on `public`, CONNECT checks stay as configured by the cluster). The
service then migrates and runs as that role only. Used by `attendandt dev`, the tests, and
mirrored by deploy/postgres/init.sql for real clusters.
"""

from __future__ import annotations

import re

import asyncpg

from attendandt.platform.db import plain_url

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _ident(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"{name!r} is not a plain lower-case SQL identifier")
    return f'"{name}"'


async def provision(admin_url: str, *, schema: str, role: str, password: str | None) -> list[str]:
    """Create `role` and `schema` (owned by it) if missing; returns what it did."""
    done: list[str] = []
    conn = await asyncpg.connect(plain_url(admin_url))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
        if not exists:
            await conn.execute(f"CREATE ROLE {_ident(role)} LOGIN NOINHERIT")
            done.append(f"created role {role}")
        if password is not None:
            # Parameters are not allowed in utility statements; quote_literal does the escaping.
            literal = await conn.fetchval("SELECT quote_literal($1::text)", password)
            await conn.execute(f"ALTER ROLE {_ident(role)} PASSWORD {literal}")
        await conn.execute(
            f"CREATE SCHEMA IF NOT EXISTS {_ident(schema)} AUTHORIZATION {_ident(role)}"
        )
        await conn.execute(f"ALTER SCHEMA {_ident(schema)} OWNER TO {_ident(role)}")
        await conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        done.append(f"schema {schema} owned by {role}")
    finally:
        await conn.close()
    return done


def role_url(admin_url: str, role: str, password: str | None = None) -> str:
    """The same server and database as `admin_url`, logged in as `role`."""
    scheme, _, rest = plain_url(admin_url).partition("://")
    _, _, host_and_db = rest.rpartition("@")
    credentials = role if password is None else f"{role}:{password}"
    return f"{scheme}://{credentials}@{host_and_db}"
