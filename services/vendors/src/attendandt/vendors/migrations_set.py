"""The vendors schema's migrations, announced to `attendandt migrate` via an entry point."""

from pathlib import Path

from attendandt.platform.migrations import MigrationSet

MIGRATIONS = MigrationSet(
    service="vendors", schema="vendors", script_location=Path(__file__).parent / "migrations"
)
