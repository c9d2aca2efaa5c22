"""Async SQLAlchemy engine and sessions on asyncpg."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from attendandt.platform.settings import DatabaseSettings


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
