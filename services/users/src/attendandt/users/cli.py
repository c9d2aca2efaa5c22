"""`attendandt users create-admin`: make sure an admin exists (the demo admin of `make run`).

Idempotent: an existing email is left as it is (its password too). Writes through the
service, so the `user.created` event waits in the outbox until the service relays it.
"""

from __future__ import annotations

import argparse
import os

from attendandt.platform.db import create_engine
from attendandt.platform.rpc import ServiceError
from attendandt.platform.settings import DatabaseSettings, process_env
from attendandt.users.passwords import HashParameters, PasswordHashing, new_password
from attendandt.users.service import UserService
from attendandt.users.settings import SERVICE, hashing_from_env
from attendandt.users.unit_of_work import sql_units


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("users", help="staff and vendor accounts")
    commands = parser.add_subparsers(title="users commands", metavar="<command>")
    create = commands.add_parser(
        "create-admin", help="create an admin unless the email exists (idempotent)"
    )
    create.add_argument("--email", required=True)
    create.add_argument(
        "--password", help="the admin's password (default: a random one, printed once)"
    )
    create.add_argument("--name", default="Administrator")
    create.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or os.environ.get("USERS_DATABASE_URL"),
        help="the users service's database, as its role (default: $DATABASE_URL, else "
        "$USERS_DATABASE_URL, which `make run` writes to .devdata/ops.env)",
    )
    create.set_defaults(handler=create_admin)


async def create_admin(args: argparse.Namespace) -> int:
    if not args.database_url:
        print(
            "DATABASE_URL is not set: set --database-url, $DATABASE_URL or $USERS_DATABASE_URL "
            "(beside `make run`, run it from the project folder: .devdata/ops.env has it)"
        )
        return 2
    generated = args.password is None
    password = new_password(args.email.strip().lower()) if generated else args.password
    engine = create_engine(DatabaseSettings(url=args.database_url, schema=SERVICE, pool_size=1))
    try:
        hashing = PasswordHashing(hashing_from_env(process_env(), HashParameters()))
        service = UserService(sql_units(engine), hashing)
        try:
            result = await service.ensure_admin(args.email, password, name=args.name)
        except ServiceError as exc:
            print(f"not created: {exc}")
            return 1
    finally:
        await engine.dispose()
    user = result.user
    if not result.created:
        print(
            f"{user.email} already exists (role {user.role.value}, "
            f"{'active' if user.is_active else 'deactivated'}); nothing changed"
        )
        return 0
    print(f"created admin {user.email} (user id {user.user_id})")
    if generated:
        print(f"generated password: {password}")
    return 0
