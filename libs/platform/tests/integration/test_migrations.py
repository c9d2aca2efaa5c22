"""A real Alembic migration into its own schema, and back down."""

from pathlib import Path

import asyncpg
import sample_models
from sqlalchemy import Column, MetaData, Text

from attendandt.platform.migrations import downgrade, pending_changes, upgrade

MIGRATIONS = Path(__file__).parents[1] / "sample_migrations"


async def _tables(url: str) -> set[tuple[str, str]]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema not in ('pg_catalog', 'information_schema')"
        )
    finally:
        await conn.close()
    return {(r["table_schema"], r["table_name"]) for r in rows}


async def test_upgrade_creates_schema_tables_and_version_table_inside_it(database_url: str) -> None:
    await upgrade(database_url, MIGRATIONS, "sample")
    assert await _tables(database_url) == {
        ("sample", "counters"),
        ("sample", "inbox"),
        ("sample", "outbox"),
        ("sample", "alembic_version"),
    }
    assert await pending_changes(database_url, sample_models.metadata, "sample") == []

    await downgrade(database_url, MIGRATIONS, "sample")
    assert await _tables(database_url) == {("sample", "alembic_version")}


async def test_autogenerate_sees_model_changes_in_its_schema_only(database_url: str) -> None:
    await upgrade(database_url, MIGRATIONS, "sample")
    conn = await asyncpg.connect(database_url)
    try:
        # Another service's schema must be invisible to this one's autogenerate.
        await conn.execute("create schema other; create table other.elsewhere (id int)")
    finally:
        await conn.close()
    assert await pending_changes(database_url, sample_models.metadata, "sample") == []

    edited = MetaData(schema="sample")
    for table in sample_models.metadata.tables.values():
        table.to_metadata(edited)
    edited.tables["sample.counters"].append_column(Column("label", Text, nullable=True))
    diffs = await pending_changes(database_url, edited, "sample")
    assert [(d[0], d[1], d[2], d[3].name) for d in diffs] == [
        ("add_column", "sample", "counters", "label")
    ]


async def test_a_service_role_named_like_its_schema_migrates_and_compares(
    database_url: str,
) -> None:
    from attendandt.platform.provision import provision, role_url

    await provision(database_url, schema="sample", role="sample", password=None)
    as_role = role_url(database_url, "sample")
    await upgrade(as_role, MIGRATIONS, "sample")  # the role may not CREATE in the database
    assert await pending_changes(as_role, sample_models.metadata, "sample") == []
    await downgrade(as_role, MIGRATIONS, "sample")
