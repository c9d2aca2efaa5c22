"""`attendandt dlq` lists, shows and requeues real dead letters."""

import hashlib
import os
import subprocess
import sys
from datetime import UTC, datetime

from nats.js import JetStreamContext
from nats.js.api import StreamConfig

from attendandt.contracts.deadletter import DEAD_LETTER, DeadLetter
from attendandt.contracts.streams import ensure_streams
from attendandt.platform.messaging import dead_letter, dead_letter_raw, publish
from attendandt.testing.nats_accounts import nats_env
from attendandt.testing.processes import CLI_TIMEOUT_S


def _cli(nats_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "attendandt.ops", "dlq", *args],
        env={**os.environ, **nats_env(nats_url)},
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )


async def test_list_show_requeue(nats_url: str, jetstream: JetStreamContext, unique: str) -> None:
    await ensure_streams(jetstream)
    await jetstream.add_stream(StreamConfig(name=f"W_{unique}", subjects=[f"work.{unique}"]))
    await jetstream.publish(f"work.{unique}", b'{"broken": true}', headers={"Nats-Msg-Id": "w-1"})
    sub = await jetstream.pull_subscribe(f"work.{unique}", durable=f"c_{unique}")
    [msg] = await sub.fetch(1, timeout=5)
    await dead_letter(jetstream, msg, service="guests", consumer="cmds", reason="field x missing")
    await msg.term()
    seq = (await jetstream.stream_info("DEAD_LETTERS")).state.last_seq

    listed = _cli(nats_url, "list")
    assert listed.returncode == 0, listed.stderr
    assert f"work.{unique}" in listed.stdout
    assert "field x missing" in listed.stdout

    shown = _cli(nats_url, "show", str(seq))
    assert shown.returncode == 0, shown.stderr
    assert '{"broken": true}' in shown.stdout

    requeued = _cli(nats_url, "requeue", str(seq))
    assert requeued.returncode == 0, requeued.stderr
    assert f"requeued to work.{unique}" in requeued.stdout
    [again] = await sub.fetch(1, timeout=5)
    assert again.data == b'{"broken": true}'
    assert "no dead letters" in _cli(nats_url, "list").stdout
    assert _cli(nats_url, "show", str(seq)).returncode == 1


async def test_show_and_list_mask_a_letter_stored_with_its_secrets(
    nats_url: str, jetstream: JetStreamContext, unique: str
) -> None:
    """A letter written before letters were masked at the source (or by another writer):
    what the operator sees is masked all the same."""
    await ensure_streams(jetstream)
    token = f"opaque-access-{unique}"
    letter = DeadLetter(
        service="mews-ingest",
        consumer="edge",
        subject="webhook",
        data=f'{{"Action": 1, "Data": {{"AccessToken": "{token}", "Name": "Hotel"}}}}'.encode(),
        headers={"Authorization": f"Bearer {token}"},
        reason=f"refused: AccessToken={token}",
        error_type="Rejected",
        failed_at=datetime.now(UTC),
    )
    ack = await publish(jetstream, DEAD_LETTER, letter, msg_id=None, service="mews-ingest",
                        consumer="edge")  # fmt: skip

    shown = _cli(nats_url, "show", str(ack.seq))
    assert shown.returncode == 0, shown.stderr
    assert token not in shown.stdout
    assert '"AccessToken": "***"' in shown.stdout
    assert "Hotel" in shown.stdout
    listed = _cli(nats_url, "list")
    assert "refused: AccessToken=***" in listed.stdout
    assert token not in listed.stdout


async def test_a_truncated_letter_is_shown_with_its_size_and_digest_and_not_requeued(
    nats_url: str, jetstream: JetStreamContext, unique: str
) -> None:
    await ensure_streams(jetstream)
    body = b"x" * 900_000
    await dead_letter_raw(
        jetstream, service="sync", consumer="c", subject=f"work.{unique}", data=body,
        reason="cannot decode",
    )  # fmt: skip
    seq = (await jetstream.stream_info("DEAD_LETTERS")).state.last_seq

    shown = _cli(nats_url, "show", str(seq))
    assert shown.returncode == 0, shown.stderr
    assert "truncated:       True" in shown.stdout
    assert "size:            900000" in shown.stdout
    assert hashlib.sha256(body).hexdigest() in shown.stdout

    requeued = _cli(nats_url, "requeue", str(seq))
    assert requeued.returncode == 1
    assert "not requeued: it keeps only the first 65536 of 900000 bytes" in requeued.stdout
    assert (await jetstream.stream_info("DEAD_LETTERS")).state.messages == 1
