"""`attendandt users create-admin`, through the real entry point, against the real database."""

import asyncio
import os
import sys

from sqlalchemy.ext.asyncio import AsyncEngine

from attendandt.contracts.rpc import users as api
from attendandt.users.passwords import HashParameters, PasswordHashing
from attendandt.users.service import UserService
from attendandt.users.unit_of_work import sql_units


async def _attendandt(*args: str, database_url: str) -> tuple[int, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "USERS_ARGON2_TIME_COST": "1",
        "USERS_ARGON2_MEMORY_KIB": "1024",
        "USERS_ARGON2_PARALLELISM": "1",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from attendandt.ops.cli import main; main()", *args,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_create_admin_generates_a_password_and_is_idempotent(
    users_url: str, engine: AsyncEngine
) -> None:
    code, output = await _attendandt(
        "users", "create-admin", "--email", "Boss@Hotel.Example", database_url=users_url
    )
    assert code == 0, output
    assert "created admin boss@hotel.example" in output
    password = output.split("generated password: ", 1)[1].strip()

    service = UserService(
        sql_units(engine),
        PasswordHashing(HashParameters(time_cost=1, memory_cost_kib=1024, parallelism=1)),
    )
    signed_in = await service.authenticate(
        api.AuthenticateRequest(email="boss@hotel.example", password=password)
    )
    assert signed_in.principal.role == "admin"

    code, output = await _attendandt(
        "users", "create-admin", "--email", "boss@hotel.example", "--password",
        "another long password", database_url=users_url,
    )  # fmt: skip
    assert code == 0, output
    assert "already exists (role admin, active); nothing changed" in output

    code, output = await _attendandt(
        "users", "create-admin", "--email", "x@hotel.example", "--password", "short",
        database_url=users_url,
    )  # fmt: skip
    assert code == 1
    assert "at least 12 characters" in output
