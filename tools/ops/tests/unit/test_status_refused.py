"""`attendandt status` on a property whose token Mews refuses: red, why, and what to do,
never the token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from attendandt.contracts.kv import IngestState, SyncHealth
from attendandt.ops.status import _print_property

SINCE = datetime.now(UTC) - timedelta(minutes=5)
REASON = "configuration/get: HTTP 401: Invalid AccessToken. AccessToken=secret-token-value"


@pytest.mark.parametrize(
    ("integration_id", "remedy"),
    [
        ("integration-1", "the hotel must reconnect the integration in Mews"),
        (None, "a new AccessToken is needed in MEWS_ACCESS_TOKENS"),
    ],
)
def test_a_refused_token_shows_red_with_what_to_do(
    capsys: pytest.CaptureFixture[str], integration_id: str | None, remedy: str
) -> None:
    state = IngestState(
        enterprise_id="hotel-1",
        integration_id=integration_id,
        integration_state="enabled" if integration_id else None,
        token_refused_since=SINCE,
        token_refused_reason=REASON,
    )
    _print_property("hotel-1", state, SyncHealth(enterprise_id="hotel-1", import_state="done"))
    shown = capsys.readouterr().out
    assert shown.startswith("property hotel-1: RED\n")
    assert "TOKEN REFUSED by Mews since" in shown
    assert remedy in shown
    assert "secret-token-value" not in shown


def test_an_accepted_token_is_not_shown_refused(capsys: pytest.CaptureFixture[str]) -> None:
    state = IngestState(enterprise_id="hotel-1", websocket="connected")
    _print_property("hotel-1", state, SyncHealth(enterprise_id="hotel-1", import_state="done"))
    shown = capsys.readouterr().out
    assert shown.startswith("property hotel-1: green\n")
    assert "REFUSED" not in shown
