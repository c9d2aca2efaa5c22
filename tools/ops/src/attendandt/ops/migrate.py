"""`attendandt migrate`: every service's schema to head (or one service, or down).

Services announce their migrations through the `attendandt.migrations` entry point (a
`MigrationSet`), so this command runs them without importing the services' code paths.
With `--admin-url` it first provisions each service's role and schema, then migrates as
that role, which is how `attendandt dev` and the deployment's one-shot job use it.
"""

from __future__ import annotations

import argparse
import os
from importlib.metadata import entry_points

from attendandt.platform.migrations import MigrationSet, downgrade, upgrade
from attendandt.platform.provision import provision, role_url

GROUP = "attendandt.migrations"


def migration_sets() -> list[MigrationSet]:
    found: list[MigrationSet] = []
    for entry in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        value = entry.load()
        if not isinstance(value, MigrationSet):
            raise SystemExit(f"entry point {entry.name} in {GROUP} is not a MigrationSet")
        found.append(value)
    return found


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "migrate", help="run every service's database migrations (or one service's)"
    )
    parser.add_argument("--service", help="only this service (default: all)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="database to migrate, as the service role (default: $DATABASE_URL)",
    )
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("DATABASE_ADMIN_URL"),
        help="superuser URL: provision each service's role and schema, then migrate as it",
    )
    parser.add_argument("--down", action="store_true", help="downgrade to base instead")
    parser.set_defaults(handler=run)


async def run(args: argparse.Namespace) -> int:
    sets = migration_sets()
    if args.service:
        sets = [s for s in sets if s.service == args.service]
        if not sets:
            known = ", ".join(s.service for s in migration_sets()) or "none installed"
            print(f"no migrations for service {args.service!r}; known: {known}")
            return 2
    if not sets:
        print("no service migrations are installed (run `uv sync --all-packages`)")
        return 0
    if not args.admin_url and not args.database_url:
        print("set --database-url (or $DATABASE_URL), or --admin-url to provision roles too")
        return 2
    for item in sets:
        url = args.database_url
        if args.admin_url:
            for line in await provision(
                args.admin_url, schema=item.schema, role=item.schema, password=None
            ):
                print(f"{item.service}: {line}")
            url = role_url(args.admin_url, item.schema)
        if args.down:
            await downgrade(url, item.script_location, item.schema)
            print(f"{item.service}: schema {item.schema} downgraded to base")
        else:
            await upgrade(url, item.script_location, item.schema)
            print(f"{item.service}: schema {item.schema} at head")
    return 0
