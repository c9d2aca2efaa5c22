"""No message stops a users consumer: a 900 KB poison on each of its command subjects
becomes a dead letter that fits, and the next real command is still handled."""

import pytest
from nats.js import JetStreamContext

from attendandt.contracts.base import encode
from attendandt.contracts.deadletter import DEAD_LETTER, DEAD_LETTER_MAX_DATA
from attendandt.contracts.examples import EXAMPLES
from attendandt.contracts.permissions import user
from attendandt.contracts.streams import DOMAIN_COMMANDS
from attendandt.testing.poison import assert_poison_letter_fits, poison_then_real
from attendandt.users.settings import SERVICE

COMMAND_CONSUMERS = [c for c in user(SERVICE).consumes if c.stream == DOMAIN_COMMANDS]
#: What becomes of the contract's example command after the poison (None: applied, no
#: dead letter).
AFTER_THE_POISON: dict[str, str | None] = {"users-upsert-user": None}


def test_every_command_consumer_of_users_is_covered() -> None:
    assert {c.durable for c in COMMAND_CONSUMERS} == set(AFTER_THE_POISON)


@pytest.mark.parametrize("consumer", COMMAND_CONSUMERS, ids=lambda c: c.durable)
async def test_a_900_kb_poison_is_dead_lettered_and_the_next_command_handled(
    app, jetstream: JetStreamContext, consumer
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
    assert app.consumers.dead() == []
