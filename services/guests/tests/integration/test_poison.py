"""No message stops a guests consumer: a 900 KB poison on each of its command subjects
becomes a dead letter that fits, and the next real command is still handled."""

import pytest
from nats.js import JetStreamContext

from attendandt.contracts.base import encode
from attendandt.contracts.deadletter import DEAD_LETTER, DEAD_LETTER_MAX_DATA
from attendandt.contracts.examples import EXAMPLES
from attendandt.contracts.permissions import user
from attendandt.contracts.streams import DOMAIN_COMMANDS
from attendandt.guests.settings import SERVICE
from attendandt.testing.poison import assert_poison_letter_fits, poison_then_real

COMMAND_CONSUMERS = [c for c in user(SERVICE).consumes if c.stream == DOMAIN_COMMANDS]
#: What becomes of the contract's example command after the poison (None: applied, no
#: dead letter).
AFTER_THE_POISON: dict[str, str | None] = {
    "guests-upsert-guest": None,
    "guests-upsert-stay": None,
    "guests-upsert-property": None,
    "guests-upsert-room": None,
    "guests-upsert-stay-bill": None,
    # The example reports on an edit this service never made.
    "guests-record-edit-result": "rejected: no edit e-1",
    # Likewise on a stay note write.
    "guests-record-stay-note-result": "rejected: no note write w-1",
    # The example names a request id this service could never have made.
    "guests-erase-guest": "rejected: no erasure r-1",
    "guests-erasure-receipts": "rejected: no erasure r-1",
}


def test_every_command_consumer_of_guests_is_covered() -> None:
    assert {c.durable for c in COMMAND_CONSUMERS} == set(AFTER_THE_POISON)


@pytest.mark.parametrize("consumer", COMMAND_CONSUMERS, ids=lambda c: c.durable)
async def test_a_900_kb_poison_is_dead_lettered_and_the_next_command_handled(
    running, jetstream: JetStreamContext, consumer
) -> None:
    example = next(e for e in EXAMPLES if isinstance(e, consumer.subject.payload))
    survived = await poison_then_real(
        jetstream,
        stream=DOMAIN_COMMANDS.name,
        durable=consumer.durable,
        subject=consumer.subject.template,
        real=encode(example),
        letters_subject=DEAD_LETTER.format(service=SERVICE, consumer=consumer.durable),
    )
    assert_poison_letter_fits(survived.poison_letter, max_data=DEAD_LETTER_MAX_DATA)
    reason = survived.real_letter["reason"] if survived.real_letter is not None else None
    assert reason == AFTER_THE_POISON[consumer.durable]
    assert running.app.consumers.dead() == []
