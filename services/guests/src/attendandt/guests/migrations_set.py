"""The guests schema's migrations, announced to `attendandt migrate` by entry point."""

from pathlib import Path

from attendandt.platform.migrations import MigrationSet

MIGRATIONS = MigrationSet(
    service="guests", schema="guests", script_location=Path(__file__).parent / "migrations"
)
