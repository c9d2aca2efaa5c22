"""Run only by test_isolation: one test that fills the account it leased, on TEST_NATS_URL."""

import os
from pathlib import Path

from nats.js import JetStreamContext
from nats.js.api import StreamConfig

from attendandt.contracts.streams import MEWS_CHANGES


async def test_fill_the_account(nats_url: str, jetstream: JetStreamContext) -> None:
    assert await jetstream.streams_info() == []
    await jetstream.add_stream(StreamConfig(name=MEWS_CHANGES.name, subjects=["mews.>"]))
    await jetstream.create_key_value(bucket="leftover")
    await jetstream.publish("mews.v1.ent-1.change.customer", b"{}")
    Path(os.environ["ACCOUNT_SESSION_REPORT"]).write_text(nats_url)
