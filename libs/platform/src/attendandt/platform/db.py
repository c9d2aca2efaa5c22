"""Async SQLAlchemy engine and sessions on asyncpg."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from attendandt.platform.settings import DatabaseSettings

#: Constraint and index names derived from the table and columns, so that migrations name
#: them the same on every database (guests keeps its own, older names: they must not move).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata(schema: str) -> MetaData:
    """The tables of the service owning `schema`, named by `NAMING_CONVENTION`."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


def asyncpg_url(url: str) -> str:
    """Accept `postgresql://` or `postgres://` URLs and select the asyncpg driver."""
    scheme, _, rest = url.partition("://")
    if scheme in ("postgresql+asyncpg",):
        return url
    if scheme not in ("postgresql", "postgres"):
        raise ValueError(f"not a Postgres URL: scheme {scheme!r}")
    return f"postgresql+asyncpg://{rest}"


def plain_url(url: str) -> str:
    """The libpq form (`postgresql://`) of a SQLAlchemy URL, for asyncpg.connect and psql."""
    _, _, rest = url.partition("://")
    return f"postgresql://{rest}"


def create_engine(
    settings: DatabaseSettings, *, application_name: str = "attendandt"
) -> AsyncEngine:
    return create_async_engine(
        asyncpg_url(settings.url),
        pool_size=settings.pool_size,
        max_overflow=settings.pool_size,
        pool_pre_ping=True,
        connect_args={"server_settings": {"application_name": application_name}},
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def snapshot(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A read-only session whose statements all see one snapshot (REPEATABLE READ).

    A reply built from several queries (a guest and its edits) must not mix a state from
    before a commit with one from after it: under READ COMMITTED each statement sees the
    commits made before it started.
    """
    async with sessions() as session:
        await session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )
        yield session
