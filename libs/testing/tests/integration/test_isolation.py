"""Every test works in a NATS account of its own: the contracts' fixed stream and subject
names exist in many accounts at once, and a test's clean-up touches its own account only."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client as NatsClient

from attendandt.contracts.streams import BUCKETS, MEWS_CHANGES, STREAMS, ensure_streams
from attendandt.testing.nats_accounts import (
    AccountPool,
    NatsAccount,
    PoolExhausted,
    accounts_config,
    nats_env,
    shared_locks_dir,
)
from attendandt.testing.processes import spawn
from attendandt.testing.servers import LocalProcessServer, start_nats

HERE = Path(__file__).parents[1]
ROOT = HERE.parents[2]
EVERY_STREAM = {s.name for s in STREAMS} | {b.stream for b in BUCKETS}


@pytest.fixture
async def other_account(nats_accounts: AccountPool) -> AsyncIterator[str]:
    """A second account, as another test running at the same time would lease it."""
    with nats_accounts.lease() as account:
        yield account.url(nats_accounts.server_url)


async def _connect(url: str) -> NatsClient:
    return await nats.connect(url, connect_timeout=5, allow_reconnect=False)


async def _streams(url: str) -> set[str]:
    client = await _connect(url)
    try:
        return {info.config.name or "" for info in await client.jetstream().streams_info()}
    finally:
        await client.close()


async def test_the_same_streams_exist_in_two_accounts_at_once(
    nats_url: str, other_account: str
) -> None:
    assert nats_url != other_account
    mine, theirs = await _connect(nats_url), await _connect(other_account)
    try:
        await ensure_streams(mine.jetstream())
        assert await _streams(other_account) == set(), "a stream leaked into the other account"
        await ensure_streams(theirs.jetstream())
        subject = "mews.v1.ent-1.change.customer"
        await mine.jetstream().publish(subject, b"{}")
        mine_info = await mine.jetstream().stream_info(MEWS_CHANGES.name)
        theirs_info = await theirs.jetstream().stream_info(MEWS_CHANGES.name)
        assert (mine_info.state.messages, theirs_info.state.messages) == (1, 0)
    finally:
        await mine.close()
        await theirs.close()
    assert await _streams(nats_url) == EVERY_STREAM
    assert await _streams(other_account) == EVERY_STREAM


async def test_core_subjects_are_separate_too(nats_url: str, other_account: str) -> None:
    mine, theirs = await _connect(nats_url), await _connect(other_account)
    try:
        heard_mine = await mine.subscribe("cmd.v1.ping")
        heard_theirs = await theirs.subscribe("cmd.v1.ping")
        await mine.flush()
        await theirs.flush()
        await theirs.publish("cmd.v1.ping", b"theirs")
        await theirs.flush()
        assert (await heard_theirs.next_msg(timeout=5)).data == b"theirs"
        with pytest.raises(nats.errors.TimeoutError):
            await heard_mine.next_msg(timeout=0.3)
    finally:
        await mine.close()
        await theirs.close()


async def test_a_client_without_credentials_is_refused(nats_accounts: AccountPool) -> None:
    """No account to fall back to: a process that lost the credentials fails loudly instead of
    sharing a namespace with every other such process."""
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await _connect(nats_accounts.server_url)


def test_nats_env_moves_the_credentials_out_of_the_url() -> None:
    url = NatsAccount(7).url("nats://127.0.0.1:4222")
    assert url == "nats://t7:test-only-7@127.0.0.1:4222"
    assert nats_env(url) == {
        "NATS_URL": "nats://127.0.0.1:4222",
        "NATS_USER": "t7",
        "NATS_PASSWORD": "test-only-7",
    }
    assert nats_env("nats://127.0.0.1:4222") == {"NATS_URL": "nats://127.0.0.1:4222"}


def test_two_pools_on_one_directory_never_lease_the_same_account(tmp_path: Path) -> None:
    """What two xdist workers or two sessions on one TEST_NATS_URL do."""
    first = AccountPool("nats://127.0.0.1:1", tmp_path, size=3)
    second = AccountPool("nats://127.0.0.1:1", tmp_path, size=3)
    with first.lease() as a, second.lease() as b, first.lease() as c:
        assert len({a.name, b.name, c.name}) == 3
        with pytest.raises(PoolExhausted), second.lease(wait_s=0.2):
            pass
    with second.lease(wait_s=0.2) as again:
        assert again.name in {a.name, b.name, c.name}


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[LocalProcessServer]:
    """A server of this test's own with the plugin's configuration, as TEST_NATS_URL names."""
    (tmp_path / "accounts.conf").write_text(accounts_config())
    server = start_nats(tmp_path / "server", config=tmp_path / "accounts.conf")
    try:
        yield server
    finally:
        server.stop()


async def test_a_session_on_test_nats_url_clears_only_its_own_account(
    own_server: LocalProcessServer, tmp_path: Path
) -> None:
    """Another session holds an account with streams in it; an inner session on the same
    server (TEST_NATS_URL) leases another one, fills it, and empties it at the end."""
    pool = AccountPool(own_server.url, shared_locks_dir(own_server.url))
    report = tmp_path / "inner-url"
    with pool.lease() as held:
        held_url = held.url(own_server.url)
        client = await _connect(held_url)
        try:
            await ensure_streams(client.jetstream())
        finally:
            await client.close()

        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}
        env |= {"TEST_NATS_URL": own_server.url, "ACCOUNT_SESSION_REPORT": str(report)}
        log = tmp_path / "inner.log"
        with log.open("wb") as out:
            inner = spawn(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                 str(HERE / "account_session" / "session_in_an_account.py")],
                env=env,
                cwd=ROOT,
                stdout=out,
            )  # fmt: skip
            code = await asyncio.to_thread(inner.wait, 120)
        assert code == 0, f"the inner session failed:\n{log.read_text()[-3000:]}"
        inner_url = report.read_text()
        assert inner_url != held_url
        assert await _streams(inner_url) == set(), "the inner session left its streams"
        assert await _streams(held_url) == EVERY_STREAM, "the inner session deleted another's"
