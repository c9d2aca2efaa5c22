"""The directory of onboarded properties on a real nats-server: tokens sealed at rest, a
follower that learns every entry once and then only what changed, a write that does not
lose a concurrent one."""

from __future__ import annotations

import asyncio

import pytest
from cryptography.fernet import Fernet
from nats.js import JetStreamContext
from nats.js.errors import KeyWrongLastSequenceError

from attendandt.contracts.kv import MewsIntegration
from attendandt.contracts.streams import MEWS_INTEGRATIONS, ensure_streams
from attendandt.platform.integrations import (
    IntegrationDirectory,
    IntegrationFollower,
    TokenKeyError,
    TokenSeal,
    token_hint,
)

TOKEN = "C66EF7B239D24632943D115EDE9CB810-EA00F8FD8294692C940F6B5A8F9453D"


def entry(seal: TokenSeal, integration_id: str, *, state: str = "enabled") -> MewsIntegration:
    return MewsIntegration(
        integration_id=integration_id,
        enterprise_id=f"e-{integration_id}",
        state=state,  # type: ignore[arg-type]
        sealed_token=seal.seal(TOKEN),
        token_hint=token_hint(TOKEN),
    )


async def test_tokens_are_stored_sealed_and_open_only_with_their_key(
    jetstream: JetStreamContext,
) -> None:
    await ensure_streams(jetstream)
    seal = TokenSeal(Fernet.generate_key())
    directory = IntegrationDirectory(jetstream, seal)
    await directory.put(entry(seal, "i-1"))

    raw = await jetstream.get_last_msg(
        MEWS_INTEGRATIONS.stream, f"$KV.{MEWS_INTEGRATIONS.bucket}.integration.i-1"
    )
    assert raw.data is not None
    assert TOKEN.encode() not in raw.data
    assert TOKEN[:16].encode() not in raw.data
    stored = await directory.get("i-1")
    assert stored is not None
    assert directory.credentials(stored, "client").access_token == TOKEN

    other = IntegrationDirectory(jetstream, TokenSeal(Fernet.generate_key()))
    with pytest.raises(TokenKeyError, match="does not open with this key"):
        other.credentials(stored, "client")
    with pytest.raises(TokenKeyError, match="MEWS_TOKEN_KEY"):
        IntegrationDirectory(jetstream, None).credentials(stored, "client")
    with pytest.raises(TokenKeyError, match=r"python -m attendandt\.platform\.integrations"):
        TokenSeal(b"not a key")


async def test_a_follower_learns_every_entry_then_only_changes(
    jetstream: JetStreamContext,
) -> None:
    await ensure_streams(jetstream)
    seal = TokenSeal(Fernet.generate_key())
    directory = IntegrationDirectory(jetstream, seal)
    for name in ("a", "b"):
        await directory.put(entry(seal, name))
    await directory.put(entry(seal, "a", state="disabled"))  # two revisions of `a`

    seen: list[tuple[str, str]] = []

    async def on_change(integration: MewsIntegration) -> None:
        seen.append((integration.integration_id, integration.state))

    follower = IntegrationFollower(directory, on_change)
    assert await follower.poll() == 2
    # Each integration once, in its last state.
    assert sorted(seen) == [("a", "disabled"), ("b", "enabled")]
    assert await follower.poll() == 0  # nothing new: nothing handed over
    await directory.put(entry(seal, "b", state="canceled"))
    assert await follower.poll() == 1
    assert seen[-1] == ("b", "canceled")

    # As a task: a change is handed over within a poll interval.
    follower.every_s = 0.05
    stop = asyncio.Event()
    task = asyncio.create_task(follower.run(stop))
    await directory.put(entry(seal, "c"))
    for _ in range(100):
        if ("c", "enabled") in seen:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert ("c", "enabled") in seen


async def test_a_write_over_a_stale_revision_is_refused(jetstream: JetStreamContext) -> None:
    await ensure_streams(jetstream)
    seal = TokenSeal(Fernet.generate_key())
    directory = IntegrationDirectory(jetstream, seal)
    await directory.put(entry(seal, "i-9"), revision=0)
    with pytest.raises(KeyWrongLastSequenceError):
        await directory.put(entry(seal, "i-9"), revision=0)  # it exists now
    _, revision = await directory.read("i-9")
    await directory.put(entry(seal, "i-9", state="disabled"), revision=revision)
    with pytest.raises(KeyWrongLastSequenceError):
        await directory.put(entry(seal, "i-9"), revision=revision)  # someone wrote since
    assert (await directory.get("i-9")).state == "disabled"  # type: ignore[union-attr]
