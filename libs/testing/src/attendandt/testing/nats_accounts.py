"""The accounts of the tests' nats-server: every test works in an account of its own.

A NATS account has its own subject space and its own JetStream streams, so tests and the
services they start use the contracts' fixed names (MEWS_CHANGES, `mews.v1.<enterprise>...`)
side by side, one account per test. The pytest plugin starts its nats-server with
`accounts_config()` (accounts `T0`..`T63`, each with JetStream and one user) and leases an
account to each test (`AccountPool`).

For a server of your own (`TEST_NATS_URL=nats://127.0.0.1:4222`):

    python -m attendandt.testing.nats_accounts --print-config > test-nats.conf
    nats-server -js -c test-nats.conf
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

POOL_SIZE = 64
"""How many accounts `accounts_config` declares: at most this many tests at once per server."""


@dataclass(frozen=True)
class NatsAccount:
    """One account of the pool and its only user."""

    index: int

    @property
    def name(self) -> str:
        return f"T{self.index}"

    @property
    def user(self) -> str:
        return f"t{self.index}"

    @property
    def password(self) -> str:
        # A test server on loopback: the password only selects the account.
        return f"test-only-{self.index}"

    def url(self, server_url: str) -> str:
        """`server_url` (without credentials) with this account's user and password in it."""
        parts = urlsplit(server_url)
        credentials = f"{quote(self.user, safe='')}:{quote(self.password, safe='')}"
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit(parts._replace(netloc=f"{credentials}@{host}"))


def account_pool(size: int = POOL_SIZE) -> list[NatsAccount]:
    return [NatsAccount(i) for i in range(size)]


def accounts_config(size: int = POOL_SIZE) -> str:
    """A nats-server configuration with `size` accounts, each with JetStream and one user.

    No user outside them: a client without credentials is refused."""
    lines = [
        "# Test accounts: each test leases one (attendandt.testing.nats_accounts).",
        "accounts {",
    ]
    for account in account_pool(size):
        lines.append(
            f"  {account.name}: {{ jetstream: enabled, users: "
            f'[{{ user: "{account.user}", password: "{account.password}" }}] }}'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def nats_env(url: str) -> dict[str, str]:
    """`NATS_URL`, `NATS_USER`, `NATS_PASSWORD` for a process started by a test.

    A service refuses credentials in `NATS_URL` (`NatsSettings.from_env`): they move to
    `NATS_USER` / `NATS_PASSWORD`, which put the process in the same account."""
    parts = urlsplit(url)
    if parts.username is None:
        return {"NATS_URL": url}
    bare = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    return {
        "NATS_URL": bare,
        "NATS_USER": unquote(parts.username),
        "NATS_PASSWORD": unquote(parts.password or ""),
    }


class PoolExhausted(RuntimeError):
    """Every account of the pool stayed leased for the whole wait."""


class AccountPool:
    """Leases the accounts of one server, one test at a time each.

    A lease is an exclusive lock on a file of `locks` (one per account), so every pytest
    process that shares the directory (xdist workers, sessions on one `TEST_NATS_URL`) leases
    from the same pool; a killed process's locks go with it. The pool hands out the account
    after the one it leased last, so an account just given back rests the longest."""

    def __init__(self, server_url: str, locks: Path, size: int = POOL_SIZE) -> None:
        self.server_url = server_url
        self.locks = locks
        self.accounts = account_pool(size)
        self._next = 0
        locks.mkdir(parents=True, exist_ok=True)

    @contextlib.contextmanager
    def lease(self, wait_s: float = 120.0) -> Iterator[NatsAccount]:
        deadline = time.monotonic() + wait_s
        while True:
            taken = self._try_lease()
            if taken is not None:
                break
            if time.monotonic() > deadline:
                raise PoolExhausted(
                    f"all {len(self.accounts)} NATS test accounts stayed leased for {wait_s:.0f} s "
                    f"(locks in {self.locks})"
                )
            time.sleep(0.05)
        account, fd = taken
        try:
            yield account
        finally:
            os.close(fd)  # releases the lock

    def _try_lease(self) -> tuple[NatsAccount, int] | None:
        size = len(self.accounts)
        for step in range(size):
            account = self.accounts[(self._next + step) % size]
            fd = os.open(self.locks / f"{account.name}.lock", os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self._next = (account.index + 1) % size
            return account, fd
        return None


def shared_locks_dir(server_url: str) -> Path:
    """Where every process on this machine that uses `server_url` keeps its leases."""
    host = urlsplit(server_url).netloc.rpartition("@")[2]
    return Path(tempfile.gettempdir()) / "attendandt-nats-leases" / re.sub(r"[^\w.-]", "_", host)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--print-config",
        action="store_true",
        required=True,
        help="print the configuration (start the server with `nats-server -js -c FILE`)",
    )
    parser.parse_args()
    sys.stdout.write(accounts_config())


if __name__ == "__main__":
    main()
