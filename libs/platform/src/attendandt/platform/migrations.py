"""Alembic for one schema per service: the version table lives inside that schema, and
autogenerate looks at that schema only, so services never see each other's tables.

A service's `migrations/env.py` is two lines:

    from attendandt.guests.models import metadata
    from attendandt.platform.migrations import run_env
    run_env(metadata)

and `upgrade(url, script_location, schema)` / `downgrade(...)` run it from code (the
`migrate` command, tests) on an async engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from attendandt.platform.db import asyncpg_url


@dataclass(frozen=True)
class MigrationSet:
    """A service's migrations, announced through the `attendandt.migrations` entry point so
    `attendandt migrate` finds every service's without importing the services themselves."""

    service: str
    schema: str
    script_location: Path


def _config(script_location: str | Path, schema: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["schema"] = schema
    return config


def _schema_only(schema: str) -> Any:
    def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
        if type_ == "schema":
            return name == schema
        return True

    return include_name


def configure_context(connection: Connection, metadata: MetaData, schema: str) -> dict[str, Any]:
    return {
        "connection": connection,
        "target_metadata": metadata,
        "version_table_schema": schema,
        "include_schemas": True,
        "include_name": _schema_only(schema),
        "compare_type": True,
        "compare_server_default": True,
    }


def ensure_schema(connection: Connection, schema: str) -> None:
    """Create the schema only when missing: `CREATE SCHEMA IF NOT EXISTS` needs the CREATE
    right on the database even when the schema exists, which a service role does not have
    (it owns its schema, provisioned by an admin)."""
    exists = connection.execute(
        text("SELECT 1 FROM pg_namespace WHERE nspname = :schema"), {"schema": schema}
    ).first()
    if exists is None:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))


def _engine(url: str) -> AsyncEngine:
    # A role named like its schema has that schema first on its search_path ("$user"), and
    # Alembic would reflect it as the unnamed default schema (every table "new"). SQLAlchemy
    # reads the default schema when it first connects, so the path is pinned at connect.
    return create_async_engine(
        asyncpg_url(url), connect_args={"server_settings": {"search_path": "public"}}
    )


def run_env(metadata: MetaData) -> None:
    """Body of a service's env.py: online migrations on the connection handed in by upgrade()."""
    config = context.config
    connection: Connection | None = config.attributes.get("connection")
    schema: str = config.attributes.get("schema") or metadata.schema or "public"
    if connection is None:
        raise RuntimeError(
            "run migrations through `attendandt migrate` (or platform.migrations.upgrade), "
            "which hands Alembic a connection"
        )
    ensure_schema(connection, schema)
    context.configure(**configure_context(connection, metadata, schema))
    with context.begin_transaction():
        context.run_migrations()


async def _run(url: str, script_location: str | Path, schema: str, action: Any) -> None:
    engine = _engine(url)
    try:
        async with engine.begin() as conn:

            def run(sync_conn: Connection) -> None:
                config = _config(script_location, schema)
                config.attributes["connection"] = sync_conn
                action(config)

            await conn.run_sync(run)
    finally:
        await engine.dispose()


async def upgrade(
    url: str, script_location: str | Path, schema: str, revision: str = "head"
) -> None:
    await _run(url, script_location, schema, lambda cfg: command.upgrade(cfg, revision))


async def downgrade(
    url: str, script_location: str | Path, schema: str, revision: str = "base"
) -> None:
    await _run(url, script_location, schema, lambda cfg: command.downgrade(cfg, revision))


async def pending_changes(url: str, metadata: MetaData, schema: str) -> list[Any]:
    """What autogenerate would emit now: empty when the migrations match the models."""
    engine = _engine(url)
    try:
        async with engine.connect() as conn:

            def compare(sync_conn: Connection) -> list[Any]:
                opts = configure_context(sync_conn, metadata, schema)
                opts.pop("connection")
                opts.pop("target_metadata")
                migration_context = MigrationContext.configure(sync_conn, opts=opts)
                diffs: list[Any] = compare_metadata(migration_context, metadata)
                return diffs

            return await conn.run_sync(compare)
    finally:
        await engine.dispose()
