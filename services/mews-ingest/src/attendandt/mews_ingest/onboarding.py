"""Integration Webhooks → the property's entry in MEWS_INTEGRATIONS (CONNECTOR_API.md §11.3).

`IntegrationCreated` stores the AccessToken sealed and the enterprise it opens; enabled,
disabled, canceled, reinstated and deleted move its state (only an enabled integration is
called); `IntegrationApiKeyCreated` seals the new key in place of the old one. Every process
that calls Mews follows the bucket (`platform.integrations.IntegrationFollower`) and starts,
re-keys or stops its work for the property.

A webhook is answered 2xx only once its entry is stored. One for an integration not known
here (its `IntegrationCreated` not yet received: Mews delivers out of order and re-sends)
is refused with 409, so Mews sends it again later. A deleted integration stays deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import msgspec

from attendandt.contracts.kv import IntegrationState, MewsIntegration
from attendandt.mews_ingest.normalize import IntegrationNotice
from attendandt.platform.integrations import IntegrationDirectory, TokenSeal, token_hint

log = logging.getLogger(__name__)

#: The state each action leaves an integration in (IntegrationCreated: by `IsEnabled`).
STATE_AFTER: dict[str, IntegrationState] = {
    "IntegrationEnabled": "enabled",
    "IntegrationReinstated": "enabled",
    "IntegrationDisabled": "disabled",
    "IntegrationCanceled": "canceled",
    "IntegrationDeleted": "deleted",
}
CREATED = "IntegrationCreated"
KEY_CREATED = "IntegrationApiKeyCreated"
ACTIONS = frozenset({CREATED, KEY_CREATED, *STATE_AFTER})


class UnknownIntegration(LookupError):
    """An action for an integration whose `IntegrationCreated` was not received."""


class NoTokenKey(RuntimeError):
    """No MEWS_TOKEN_KEY here: a token cannot be stored sealed, so it is not stored."""


class IncompleteNotice(ValueError):
    """The webhook lacks what its action needs (a token, an enterprise)."""


def after(
    current: MewsIntegration | None,
    notice: IntegrationNotice,
    seal: TokenSeal | None,
    now: datetime,
) -> MewsIntegration | None:
    """The integration's entry after `notice`; None when nothing changes (a repeat, an
    action Mews added since, a deleted integration told anything but its deletion)."""
    action = notice.action
    if action not in ACTIONS:
        log.info("integration webhook %s not known here: ignored", action)
        return None
    if current is None and action != CREATED:
        raise UnknownIntegration(
            f"integration {notice.integration_id} is not known here (no IntegrationCreated "
            f"received yet): {action} refused so that Mews sends it again"
        )
    if current is not None and current.state == "deleted":
        log.warning("integration %s is deleted: %s ignored", notice.integration_id, action)
        return None
    if action == CREATED:
        return _created(current, notice, _sealed(notice, seal), now)
    assert current is not None
    if action == KEY_CREATED:
        return _rekeyed(current, _sealed(notice, seal), now)
    state = STATE_AFTER[action]
    if state == current.state:
        return None
    return msgspec.structs.replace(
        current,
        state=state,
        deleted_utc=(notice.deleted_utc or now) if state == "deleted" else None,
        changed_at=now,
    )


def _sealed(notice: IntegrationNotice, seal: TokenSeal | None) -> tuple[str, str]:
    """The notice's token sealed, and its hint."""
    if not notice.token:
        raise IncompleteNotice(f"{notice.action} without its token")
    if seal is None:
        raise NoTokenKey(
            f"{notice.action} for integration {notice.integration_id} not stored: "
            "MEWS_TOKEN_KEY (or MEWS_TOKEN_KEY_FILE) is not set here"
        )
    return seal.seal(notice.token), token_hint(notice.token)


def _rekeyed(
    current: MewsIntegration, sealed: tuple[str, str], now: datetime
) -> MewsIntegration | None:
    token, hint = sealed
    if current.token_hint == hint:
        return None  # the same key again: a repeat
    return msgspec.structs.replace(
        current, sealed_token=token, token_hint=hint, key_version=current.key_version + 1,
        changed_at=now,
    )  # fmt: skip


def _created(
    current: MewsIntegration | None,
    notice: IntegrationNotice,
    sealed: tuple[str, str],
    now: datetime,
) -> MewsIntegration | None:
    token, hint = sealed
    if notice.enterprise_id is None:
        raise IncompleteNotice("IntegrationCreated without its Enterprise")
    if current is not None and current.token_hint == hint:
        return None  # a repeat of the one stored
    return MewsIntegration(
        integration_id=notice.integration_id,
        integration_name=notice.integration_name,
        enterprise_id=notice.enterprise_id,
        enterprise_name=notice.enterprise_name,
        service_id=notice.service_id,
        state="enabled" if notice.is_enabled in (True, None) else "disabled",
        sealed_token=token,
        token_hint=hint,
        key_version=current.key_version + 1 if current is not None else 0,
        created_utc=notice.created_utc or now,
        changed_at=now,
    )


class Onboarding:
    """Applies Integration Webhooks to the directory (`after`, then stored)."""

    def __init__(
        self,
        directory: IntegrationDirectory,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.directory = directory
        self.clock = clock

    async def apply(self, notice: IntegrationNotice) -> MewsIntegration | None:
        """Store what `notice` changes; returns the entry as stored (None: unchanged).
        Read, change, write over the revision read: a webhook handled at the same moment
        (another delivery, another ingest) makes it read again, never lose a change."""
        written = await self.directory.update(
            notice.integration_id,
            lambda current: after(current, notice, self.directory.seal, self.clock()),
        )
        if written is None:
            return None
        _, changed = written
        log.info(
            "integration %s of %s: %s → %s (key %d)",
            changed.integration_id,
            changed.enterprise_id,
            notice.action,
            changed.state,
            changed.key_version,
        )
        return changed
