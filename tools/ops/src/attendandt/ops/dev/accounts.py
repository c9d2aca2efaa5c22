"""The demo accounts of `attendandt dev`: the admin, then a front desk user and a vendor user,
each with its own random password made on the first run and kept with the data."""

from __future__ import annotations

import asyncio
import os
import sys
import time

from attendandt.mews import MewsError, MewsSettings, MewsSettingsError
from attendandt.ops.demo import FRONT_DESK, MANAGER, VENDOR_USER, seed_demo
from attendandt.ops.dev.config import DevConfig
from attendandt.ops.dev.stack import connect, kept_secret
from attendandt.ops.dev.supervisor import say
from attendandt.platform.rpc import RpcFailure, RpcTimeout
from attendandt.platform.settings import NatsSettings

DEV_ADMIN = "admin@attendandt.local"
#: Where each demo account's password is kept in the dev data (random, made once).
DEMO_PASSWORD_FILES = {
    FRONT_DESK: "frontdesk-password",
    MANAGER: "manager-password",
    VENDOR_USER: "vendor-password",
}


async def seed_demo_accounts(
    settings: NatsSettings, password: str, passwords: dict[str, str], env: dict[str, str]
) -> list[str]:
    """Front desk and vendor demo accounts, once the users and vendors services answer."""
    try:
        mews = MewsSettings.from_env(env)
    except MewsSettingsError as exc:
        say(f"no demo vendor and staff accounts: {exc}")
        return []
    nc = await connect(settings)
    try:
        # Generous: on a busy machine a service restarted by the supervisor takes a while.
        deadline = time.monotonic() + 180
        while True:
            try:
                return await seed_demo(nc, DEV_ADMIN, password, passwords, mews)
            except (RpcTimeout, MewsError) as exc:
                if time.monotonic() > deadline:
                    say(f"no demo vendor and staff accounts: {exc}")
                    return []
                await asyncio.sleep(1)  # services still starting
            except RpcFailure as exc:
                say(f"no demo vendor and staff accounts: {exc}")
                return []
    finally:
        await nc.close()


async def seed_accounts(config: DevConfig, database_urls: dict[str, str]) -> list[str]:
    """The demo admin (admin@attendandt.local): ATTENDANDT_DEV_ADMIN_PASSWORD, or a random
    password made on the first run and kept in .devdata so later runs can show it again."""
    if "users" not in database_urls:
        return []
    password = admin_password(config)
    argv = [
        sys.executable, "-m", "attendandt.ops", "users", "create-admin",
        "--email", DEV_ADMIN, f"--password={password}",  # "=": it may start with "-"
        "--database-url", database_urls["users"],
    ]  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    say(output.decode(errors="replace").strip().replace(password, "***"))
    return [f"admin: {DEV_ADMIN} / {password}"]


def admin_password(config: DevConfig) -> str:
    return os.environ.get("ATTENDANDT_DEV_ADMIN_PASSWORD") or kept_secret(
        config.devdata / "admin-password"
    )


def demo_passwords(config: DevConfig) -> dict[str, str]:
    """Each demo account's own password: random per install, kept in .devdata like the
    admin's; never the admin's, never derived from it or from each other."""
    return {
        email: kept_secret(config.devdata / name) for email, name in DEMO_PASSWORD_FILES.items()
    }
