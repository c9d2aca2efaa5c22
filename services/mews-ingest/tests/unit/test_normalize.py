from datetime import UTC, datetime

import pytest

from attendandt.contracts.mews import ChangeSource, MewsEntity
from attendandt.mews_ingest.normalize import (
    IntegrationNotice,
    MalformedInput,
    WebhookBatch,
    changes_from_frame,
    parse_webhook,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
ENT = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def test_websocket_frame_gives_one_change_per_known_event() -> None:
    frame = (
        '{"Events": ['
        '{"Type": "Reservation", "Id": "r1", "State": "Started", "StartUtc": "x", "EndUtc": "y"},'
        '{"Type": "Reservation", "Id": "r1", "State": "Started"},'
        '{"Type": "Resource", "Id": "room-7", "State": "Dirty"},'
        '{"Type": "PriceUpdate", "Id": "p1"},'
        '{"Type": "SomethingNew", "Id": "n1"}'
        "]}"
    )
    changes = changes_from_frame(frame, ENT, NOW)
    assert [(c.entity, c.mews_id, c.observed_state) for c in changes] == [
        (MewsEntity.RESERVATION, "r1", "Started"),
        (MewsEntity.RESOURCE, "room-7", "Dirty"),
    ]
    assert all(c.source is ChangeSource.WEBSOCKET and c.enterprise_id == ENT for c in changes)


@pytest.mark.parametrize(
    "frame", ["not json", "[]", '{"Events": "x"}', '{"Events": [{"Id": "r"}]}']
)
def test_malformed_frame_is_refused_with_a_reason(frame: str) -> None:
    with pytest.raises(MalformedInput, match="WebSocket frame"):
        changes_from_frame(frame, ENT, NOW)


def test_general_webhook_merges_added_and_updated_and_skips_untracked() -> None:
    body = (
        f'{{"EnterpriseId": "{ENT}", "IntegrationId": "i1", "Events": ['
        '{"Discriminator": "CustomerAdded", "Value": {"Id": "c1"}},'
        '{"Discriminator": "CustomerUpdated", "Value": {"Id": "c1"}},'
        '{"Discriminator": "ServiceOrderUpdated", "Value": {"Id": "r1"}},'
        '{"Discriminator": "MessageAdded", "Value": {"Id": "m1"}}'
        "]}"
    )
    batch = parse_webhook(body.encode(), NOW)
    assert isinstance(batch, WebhookBatch)
    assert [(c.entity, c.mews_id) for c in batch.changes] == [
        (MewsEntity.CUSTOMER, "c1"),
        (MewsEntity.RESERVATION, "r1"),
    ]
    assert batch.ignored == 1
    # The same body again is another change of the same entities (bodies carry ids only):
    # never dropped as a duplicate, even within the same second.
    again = parse_webhook(body.encode(), NOW.replace(microsecond=NOW.microsecond + 1))
    assert isinstance(again, WebhookBatch)
    assert not {c.msg_id() for c in again.changes} & {c.msg_id() for c in batch.changes}


def test_integration_webhook_is_a_notice() -> None:
    body = (
        b'{"Action": "IntegrationApiKeyCreated", "Data": {"ApiKey": "0123456789abcdef-42", '
        b'"Integration": {"Id": "i-1", "Name": "Attendandt"}}}'
    )
    notice = parse_webhook(body, NOW)
    assert notice == IntegrationNotice(
        action="IntegrationApiKeyCreated",
        integration_id="i-1",
        integration_name="Attendandt",
        token="0123456789abcdef-42",
    )
    assert "0123456789abcdef" not in repr(notice)


@pytest.mark.parametrize(
    "body",
    [
        b'{"Action": "IntegrationCreated", "Data": {"AccessToken": "secret"}}',  # no Integration
        b'{"Action": "IntegrationEnabled"}',  # no Data
        b'{"Action": "IntegrationCreated", "Data": {"Integration": {"Id": "i-1"}, '
        b'"AccessToken": "a token with spaces"}}',
    ],
)
def test_malformed_integration_webhook_is_refused_with_a_reason(body: bytes) -> None:
    with pytest.raises(MalformedInput, match="is not an Integration Webhook"):
        parse_webhook(body, NOW)


@pytest.mark.parametrize(
    "body", [b"{", b"[1]", b'{"EnterpriseId": 5, "Events": []}', b'{"Events": []}']
)
def test_malformed_webhook_is_refused_with_a_reason(body: bytes) -> None:
    with pytest.raises(MalformedInput, match="webhook body"):
        parse_webhook(body, NOW)


@pytest.mark.parametrize(
    ("frame", "why"),
    [
        # Unknown fields are skipped, but skipping descends too.
        (b'{"Events": [], "X": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", "nested too deeply"),
        (b'{"Events": [{"Type": "Reservation", "Id": "\xff\xfe"}]}', "not UTF-8"),
        ('{"Events": [{"Type": "Reservation", "Id": "r\\r\\nX: y"}]}', "regex"),
        ('{"Events": [{"Type": "Reservation", "Id": 1e99999}]}', "out of range"),
        ('{"Events": [{"Type": "Reservation", "Id": "\ud800"}]}', "not UTF-8"),
    ],
)
def test_hostile_frame_is_refused_not_raised(frame: str | bytes, why: str) -> None:
    """Deep nesting and bad bytes made the decoder raise RecursionError/UnicodeDecodeError,
    which would have ended the socket's read loop; an id that is not an id would reach a
    message header."""
    with pytest.raises(MalformedInput, match=why):
        changes_from_frame(frame, ENT, NOW)
