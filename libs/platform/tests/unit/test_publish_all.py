"""`publish_all`: bounded in flight, in order, and a publish whose ack timed out sent again
under the same Nats-Msg-Id. A stand-in JetStream context makes the timeouts deterministic;
the stores themselves are the real server's business (ingest's and sync's integration tests)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import nats.errors
import pytest
from nats.js.api import PubAck

from attendandt.contracts import headers as h
from attendandt.contracts.mews import MEWS_CHANGE, ChangeSource, MewsChange, MewsEntity
from attendandt.platform.messaging import publish_all


class StandInJetStream:
    """Answers `publish` after yielding once; the first `timeouts[msg_id]` tries of a msg id
    time out. Records the most publishes waiting at once and every (subject, msg id) sent."""

    def __init__(self, timeouts: dict[str, int] | None = None) -> None:
        self.timeouts = dict(timeouts or {})
        self.waiting = 0
        self.most_waiting = 0
        self.sent: list[tuple[str, str]] = []

    async def publish(self, subject: str, payload: bytes, **kwargs: Any) -> PubAck:
        msg_id = kwargs["headers"][h.MSG_ID]
        self.sent.append((subject, msg_id))
        seq = len(self.sent)
        self.waiting += 1
        self.most_waiting = max(self.most_waiting, self.waiting)
        try:
            await asyncio.sleep(0)
            if self.timeouts.get(msg_id, 0) > 0:
                self.timeouts[msg_id] -= 1
                raise nats.errors.TimeoutError
            return PubAck(stream="MEWS_CHANGES", seq=seq)
        finally:
            self.waiting -= 1


def changes(n: int) -> list[MewsChange]:
    now = datetime.now(UTC)
    return [
        MewsChange(
            enterprise_id="ent-1",
            entity=MewsEntity.RESERVATION if i % 2 else MewsEntity.CUSTOMER,
            mews_id=f"id-{i}",
            source=ChangeSource.WEBSOCKET,
            observed_at=now,
            sighting=str(i),
        )
        for i in range(n)
    ]


async def _publish(js: StandInJetStream, batch: list[MewsChange], **kw: Any) -> list[PubAck]:
    return await publish_all(
        js,  # type: ignore[arg-type]
        MEWS_CHANGE,
        batch,
        msg_id=MewsChange.msg_id,
        parts=MewsChange.subject_parts,
        **kw,
    )


async def test_at_most_in_flight_wait_at_once_and_acks_come_back_in_order() -> None:
    js = StandInJetStream()
    batch = changes(250)
    acks = await _publish(js, batch, in_flight=20)
    assert js.most_waiting == 20
    assert len(acks) == 250
    assert {subject for subject, _ in js.sent} == {
        "mews.v1.ent-1.change.reservation",
        "mews.v1.ent-1.change.customer",
    }
    # Each ack is the one of the payload at the same position.
    by_msg_id = {msg_id: seq for seq, (_, msg_id) in enumerate(js.sent, start=1)}
    assert [ack.seq for ack in acks] == [by_msg_id[c.msg_id()] for c in batch]


async def test_a_timed_out_publish_is_sent_again_with_the_same_msg_id() -> None:
    batch = changes(5)
    late = batch[3].msg_id()
    js = StandInJetStream(timeouts={late: 2})
    acks = await _publish(js, batch)
    assert len(acks) == 5
    assert [msg_id for _, msg_id in js.sent].count(late) == 3
    assert len(js.sent) == 7


async def test_the_last_timeout_is_raised() -> None:
    batch = changes(3)
    js = StandInJetStream(timeouts={batch[0].msg_id(): 5})
    with pytest.raises(nats.errors.TimeoutError):
        await _publish(js, batch, attempts=5)
    assert [msg_id for _, msg_id in js.sent].count(batch[0].msg_id()) == 5
