"""Our ids (`service.new_id`): random version 4 UUIDs, written as `uuid` writes them."""

import uuid

from attendandt.guests.service import new_id


def test_an_id_is_a_random_uuid_written_as_uuid_writes_it() -> None:
    ids = [new_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    for made in ids:
        parsed = uuid.UUID(made)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert str(parsed) == made
