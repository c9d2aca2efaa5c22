from decimal import Decimal

import msgspec
import pytest

from attendandt.contracts import decode, encode
from attendandt.contracts.base import RpcError
from attendandt.contracts.commands import UpsertGuest
from attendandt.contracts.events import CHARGE_EVENT, GUEST_EVENT, ChargeEvent
from attendandt.contracts.examples import CHARGE, ENT, EXAMPLES
from attendandt.contracts.mews import MEWS_CHANGE, MewsChange
from attendandt.contracts.registry import SUBJECTS, payload_types
from attendandt.contracts.rpc.guests import SearchGuestsRequest


def test_every_stream_payload_has_an_example() -> None:
    # Request-reply payloads are exercised by their services' tests; these travel on streams.
    covered = {type(example) for example in EXAMPLES}
    assert covered == {subject.payload for subject in SUBJECTS} | {RpcError}
    assert covered <= set(payload_types())


@pytest.mark.parametrize("payload", EXAMPLES, ids=lambda p: type(p).__name__)
def test_round_trip(payload: msgspec.Struct) -> None:
    data = encode(payload)  # type: ignore[arg-type]
    assert decode(data, type(payload)) == payload  # type: ignore[arg-type]


def test_money_travels_as_exact_decimal_strings() -> None:
    event = next(e for e in EXAMPLES if isinstance(e, ChargeEvent))
    raw = msgspec.json.decode(encode(event))
    assert raw["charge"]["unit_amount"] == "85.50"
    assert (
        decode(encode(event), ChargeEvent).charge.unit_amount
        == Decimal("85.50")
        == CHARGE.unit_amount
    )


def test_unknown_fields_are_ignored_so_additive_changes_are_safe() -> None:
    change = next(e for e in EXAMPLES if isinstance(e, MewsChange))
    raw = msgspec.json.decode(encode(change))
    raw["added_in_a_later_release"] = {"anything": 1}
    assert decode(msgspec.json.encode(raw), MewsChange) == change


def test_invalid_payload_is_rejected_with_the_field_named() -> None:
    with pytest.raises(msgspec.ValidationError, match="guest"):
        decode(
            b'{"command_id": "c", "enterprise_id": "e", "issued_at": "2026-01-01T00:00:00Z"}',
            UpsertGuest,
        )


def test_subject_format_and_filters() -> None:
    assert MEWS_CHANGE.format(enterprise=ENT, entity="customer") == f"mews.v1.{ENT}.change.customer"
    assert MEWS_CHANGE.filter(enterprise=ENT) == f"mews.v1.{ENT}.change.>"
    assert GUEST_EVENT.filter() == "attendandt.v1.*.guest.>"
    assert CHARGE_EVENT.format(enterprise=ENT, event="posted").endswith(".charge.posted")


@pytest.mark.parametrize(
    ("parts", "error"),
    [
        ({"enterprise": ENT}, "missing"),
        ({"enterprise": ENT, "event": "exploded"}, "must be one of"),
        ({"enterprise": "a.b", "event": "created"}, "not one token"),
    ],
)
def test_subject_rejects_bad_parts(parts: dict[str, str], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        GUEST_EVENT.format(**parts)


def test_msg_id_identifies_a_version_not_a_sighting() -> None:
    change = next(e for e in EXAMPLES if isinstance(e, MewsChange))
    same_second = msgspec.structs.replace(
        change, observed_at=change.observed_at.replace(microsecond=5)
    )
    later = msgspec.structs.replace(change, observed_at=change.observed_at.replace(second=1))
    assert change.msg_id() == same_second.msg_id()
    assert change.msg_id() != later.msg_id()


def test_a_version_1_search_request_still_reads() -> None:
    """Version 2 made the zone optional (the hotel's); version-1 bodies decode unchanged."""
    named = b'{"enterprise_id": "e", "query": "101", "timezone": "UTC", "limit": 20}'
    assert decode(named, SearchGuestsRequest).timezone == "UTC"
    left_out = decode(b'{"enterprise_id": "e", "query": "101"}', SearchGuestsRequest)
    assert (left_out.query, left_out.timezone) == ("101", None)
    assert SearchGuestsRequest.schema_id() == "guests.search_request/v2"
