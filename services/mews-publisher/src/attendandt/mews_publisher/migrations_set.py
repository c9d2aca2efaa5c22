"""The publisher schema's migrations, announced to `attendandt migrate` via an entry point."""

from pathlib import Path

from attendandt.platform.migrations import MigrationSet

MIGRATIONS = MigrationSet(
    service="mews-publisher",
    schema="publisher",
    script_location=Path(__file__).parent / "migrations",
)
