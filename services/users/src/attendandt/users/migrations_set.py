"""The users schema's migrations, announced to `attendandt migrate` (entry point)."""

from pathlib import Path

from attendandt.platform.migrations import MigrationSet

MIGRATIONS = MigrationSet(
    service="users", schema="users", script_location=Path(__file__).parent / "migrations"
)
