"""Integration Webhooks → the integration's entry: every action, repeats, out-of-order
deliveries, a deleted integration, a missing key. Pure: no NATS."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet

from attendandt.contracts.kv import MewsIntegration
from attendandt.mews_ingest.normalize import IntegrationNotice, parse_webhook
from attendandt.mews_ingest.onboarding import (
    IncompleteNotice,
    NoTokenKey,
    UnknownIntegration,
    after,
)
from attendandt.platform.integrations import TokenSeal, token_hint

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
SEAL = TokenSeal(Fernet.generate_key())
TOKEN = "C66EF7B239D24632943D115EDE9CB810-EA00F8FD8294692C940F6B5A8F9453D"
NEW_KEY = "0ABCDEF239D24632943D115EDE9CB810-1111F8FD8294692C940F6B5A8F9453D"
INTEGRATION = "9a2c1e0e-7f3c-4d7e-9c4b-2a1f0e5d3c21"
ENTERPRISE = "851df8c8-90f2-4c4a-8e01-a4fc46b25178"


def created(*, enabled: bool = True, token: str = TOKEN) -> IntegrationNotice:
    body = (
        '{"Action": "IntegrationCreated", "Data": {'
        f'"Enterprise": {{"Id": "{ENTERPRISE}", "Name": "Hotel Nova"}}, '
        '"Service": {"Id": "0f3e7a52-2c3b-4f1e-9a5c-1b2d3e4f5a6b", "Name": "Accommodation"}, '
        '"Requestor": {"Name": "Ann Owner", "Email": "ann@example.com"}, '
        f'"AccessToken": "{token}", "CreatedUtc": "2026-12-05T11:59:00Z", '
        f'"IsEnabled": {"true" if enabled else "false"}, '
        f'"Integration": {{"Id": "{INTEGRATION}", "Name": "Attendandt"}}}}}}'
    )
    notice = parse_webhook(body.encode(), NOW)
    assert isinstance(notice, IntegrationNotice)
    return notice


def action(name: str, **data: str) -> IntegrationNotice:
    fields = "".join(f', "{k}": "{v}"' for k, v in data.items())
    body = f'{{"Action": "{name}", "Data": {{"Integration": {{"Id": "{INTEGRATION}"}}{fields}}}}}'
    notice = parse_webhook(body.encode(), NOW)
    assert isinstance(notice, IntegrationNotice)
    return notice


def stored(notice: IntegrationNotice, current: MewsIntegration | None = None) -> MewsIntegration:
    entry = after(current, notice, SEAL, NOW)
    assert entry is not None
    return entry


def test_created_stores_the_token_sealed_and_the_enterprise() -> None:
    entry = stored(created())
    assert entry.integration_id == INTEGRATION
    assert entry.enterprise_id == ENTERPRISE
    assert entry.enterprise_name == "Hotel Nova"
    assert entry.state == "enabled"
    assert entry.callable
    assert TOKEN not in entry.sealed_token
    assert SEAL.open(entry.sealed_token) == TOKEN
    assert entry.token_hint == token_hint(TOKEN)
    assert entry.token_hint not in TOKEN  # a hash, no token characters
    assert entry.created_utc == datetime(2026, 12, 5, 11, 59, tzinfo=UTC)
    # The requestor (a person) is not kept anywhere.
    assert "Ann" not in repr(entry)
    assert "example.com" not in repr(entry)
    # Nor is the token in the notice's repr (logs, tracebacks).
    assert TOKEN not in repr(created())


def test_created_disabled_is_not_callable() -> None:
    entry = stored(created(enabled=False))
    assert entry.state == "disabled"
    assert not entry.callable


def test_the_states_follow_the_actions_and_repeats_change_nothing() -> None:
    entry = stored(created())
    for name, state in [
        ("IntegrationDisabled", "disabled"),
        ("IntegrationEnabled", "enabled"),
        ("IntegrationCanceled", "canceled"),
        ("IntegrationReinstated", "enabled"),
    ]:
        entry = stored(action(name), entry)
        assert entry.state == state
        assert entry.callable == (state == "enabled")
        assert after(entry, action(name), SEAL, NOW) is None  # Mews re-sent it
    assert after(entry, created(), SEAL, NOW) is None  # the same IntegrationCreated again


def test_a_new_key_replaces_the_token_once() -> None:
    entry = stored(created())
    rekeyed = stored(action("IntegrationApiKeyCreated", ApiKey=NEW_KEY), entry)
    assert SEAL.open(rekeyed.sealed_token) == NEW_KEY
    assert rekeyed.key_version == entry.key_version + 1
    assert rekeyed.token_hint == token_hint(NEW_KEY)
    assert rekeyed.state == "enabled"
    assert after(rekeyed, action("IntegrationApiKeyCreated", ApiKey=NEW_KEY), SEAL, NOW) is None


def test_deleted_is_final() -> None:
    entry = stored(created())
    deleted = stored(action("IntegrationDeleted", DeletedUtc="2026-12-05T11:00:00Z"), entry)
    assert deleted.state == "deleted"
    assert deleted.deleted_utc == datetime(2026, 12, 5, 11, tzinfo=UTC)
    assert not deleted.callable
    for name in ("IntegrationEnabled", "IntegrationReinstated"):
        assert after(deleted, action(name), SEAL, NOW) is None


def test_an_action_before_its_integration_is_known_is_refused_for_a_resend() -> None:
    with pytest.raises(UnknownIntegration, match="no IntegrationCreated received yet"):
        after(None, action("IntegrationEnabled"), SEAL, NOW)


def test_no_key_no_token_stored() -> None:
    with pytest.raises(NoTokenKey, match="MEWS_TOKEN_KEY"):
        after(None, created(), None, NOW)
    with pytest.raises(IncompleteNotice, match="without its token"):
        after(stored(created()), action("IntegrationApiKeyCreated"), SEAL, NOW)


def test_an_action_mews_added_later_changes_nothing() -> None:
    assert after(stored(created()), action("IntegrationRenamed"), SEAL, NOW) is None
