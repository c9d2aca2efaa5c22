"""Commands on subjects no service consumes become dead letters; known ones wait."""

import msgspec
from nats.js import JetStreamContext

from attendandt.contracts.base import encode
from attendandt.contracts.commands import COMMANDS, UPSERT_GUEST
from attendandt.contracts.deadletter import DEAD_LETTER, DeadLetter
from attendandt.contracts.examples import EXAMPLES
from attendandt.contracts.streams import DEAD_LETTERS, DOMAIN_COMMANDS, ensure_streams
from attendandt.platform.unrouted import CONSUMER, UnroutedCommandSweeper

UPSERT_GUEST_EXAMPLE = next(e for e in EXAMPLES if isinstance(e, UPSERT_GUEST.payload))


async def _subjects(js: JetStreamContext) -> dict[str, int]:
    info = await js.stream_info(DOMAIN_COMMANDS.name, subjects_filter="cmd.v1.>")
    return dict(info.state.subjects or {})


async def test_a_command_nobody_consumes_becomes_a_dead_letter_with_the_reason(
    jetstream: JetStreamContext,
) -> None:
    await ensure_streams(jetstream)
    nobody = await jetstream.publish("cmd.v1.nobody.verb", b'{"x": 1}', headers={"a": "b"})
    for subject in COMMANDS:  # every known subject has a message waiting for its service
        await jetstream.publish(subject.template, encode(UPSERT_GUEST_EXAMPLE))
    sweeper = UnroutedCommandSweeper(jetstream, service="sync", after_s=0, interval_s=1)

    assert await sweeper.sweep_once() == 1

    subjects = await _subjects(jetstream)
    assert "cmd.v1.nobody.verb" not in subjects
    assert set(subjects) == {subject.template for subject in COMMANDS}
    raw = await jetstream.get_last_msg(
        DEAD_LETTERS.name, DEAD_LETTER.format(service="sync", consumer=CONSUMER)
    )
    letter = msgspec.json.decode(raw.data or b"", type=DeadLetter)
    assert letter.subject == "cmd.v1.nobody.verb"
    assert letter.reason.startswith("no service consumes cmd.v1.nobody.verb")
    assert letter.data == b'{"x": 1}'
    assert letter.headers == {"a": "b"}
    assert letter.stream == DOMAIN_COMMANDS.name
    assert letter.stream_sequence == nobody.seq
    assert await sweeper.sweep_once() == 0


async def test_an_unrouted_command_younger_than_the_bound_waits(
    jetstream: JetStreamContext,
) -> None:
    await ensure_streams(jetstream)
    await jetstream.publish("cmd.v1.nobody.verb", b"{}")
    sweeper = UnroutedCommandSweeper(jetstream, service="sync", after_s=3600, interval_s=1)
    assert await sweeper.sweep_once() == 0
    assert (await _subjects(jetstream)) == {"cmd.v1.nobody.verb": 1}
