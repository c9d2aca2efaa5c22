"""Properties onboarded through Mews Integration Webhooks: their AccessTokens sealed at rest
in the MEWS_INTEGRATIONS bucket, and the follower every process that calls Mews uses to
start, re-key and stop its work for them.

- **Sealed tokens.** A token is stored encrypted (Fernet: AES-128-CBC with an HMAC) with the
  key of MEWS_TOKEN_KEY or MEWS_TOKEN_KEY_FILE. A reader of the bucket without the key (an
  operator's NATS account, a backup) sees ciphertext and a hash hint, never a token.
- **Following without a consumer.** Processes read the bucket's stream message by message
  (`STREAM.MSG.GET` with `next_by_subj`), from the last sequence they saw: a poll with nothing
  new is one request, and readers need no consumer on the bucket (a consumer's deliver
  subject is not bound by publish permissions).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable

import msgspec
from cryptography.fernet import Fernet, InvalidToken
from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError, NotFoundError

from attendandt.contracts.kv import MewsIntegration, decode_value, integration_key
from attendandt.contracts.streams import MEWS_INTEGRATIONS
from attendandt.mews import Credentials, MewsClient, MewsSettings, clients_of_token

log = logging.getLogger(__name__)

KEY_HELP = (
    "set MEWS_TOKEN_KEY (or MEWS_TOKEN_KEY_FILE, a file holding it) to a Fernet key: make one "
    "with `python -m attendandt.platform.integrations`"
)


class TokenKeyError(ValueError):
    """The token key is missing or malformed; the message says how to make one."""


class TokenSeal:
    """Seals and opens AccessTokens with one Fernet key."""

    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError) as exc:
            raise TokenKeyError(f"the token key is not a Fernet key: {KEY_HELP}") from exc

    @classmethod
    def of(cls, key: str | None) -> TokenSeal | None:
        """The seal of a configured key (`MewsSettings.token_key`); None without one."""
        return cls(key.encode()) if key else None

    def seal(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise TokenKeyError(
                "a stored token does not open with this key (was MEWS_TOKEN_KEY changed?)"
            ) from exc


def token_hint(token: str) -> str:
    """What logs and screens show of a token: a hash prefix (as `Credentials` does)."""
    return hashlib.sha256(token.encode()).hexdigest()[:10]


class IntegrationDirectory:
    """The MEWS_INTEGRATIONS bucket: one entry per integration, read and written whole."""

    def __init__(self, js: JetStreamContext, seal: TokenSeal | None) -> None:
        self.js = js
        self.seal = seal

    async def get(self, integration_id: str) -> MewsIntegration | None:
        return (await self.read(integration_id))[0]

    async def read(self, integration_id: str) -> tuple[MewsIntegration | None, int]:
        """The entry and its revision (0: none), for a `put` that must not lose a change."""
        kv = await self.js.key_value(MEWS_INTEGRATIONS.bucket)
        try:
            entry = await kv.get(integration_key(integration_id))
        except KeyNotFoundError:
            return None, 0
        if not entry.value:
            return None, entry.revision or 0
        return decode_value(entry.value, MewsIntegration), entry.revision or 0

    async def put(self, integration: MewsIntegration, *, revision: int | None = None) -> None:
        """Write the entry; with `revision` only over that revision (0: only if there is
        none), else KeyWrongLastSequenceError: someone wrote first, read again."""
        kv = await self.js.key_value(MEWS_INTEGRATIONS.bucket)
        key = integration_key(integration.integration_id)
        value = msgspec.json.encode(integration)
        if revision is None:
            await kv.put(key, value)
        elif revision == 0:
            await kv.create(key, value)
        else:
            await kv.update(key, value, last=revision)

    async def update(
        self,
        integration_id: str,
        change: Callable[[MewsIntegration | None], MewsIntegration | None],
    ) -> tuple[MewsIntegration | None, MewsIntegration] | None:
        """Write `change(entry)` (the entry read, None when there is none) over the revision
        read; another writer first makes it read and change again, so no change is lost.
        Returns (the entry replaced, the entry written), or None when `change` said no."""
        while True:
            current, revision = await self.read(integration_id)
            changed = change(current)
            if changed is None:
                return None
            try:
                await self.put(changed, revision=revision)
            except KeyWrongLastSequenceError:
                continue
            return current, changed

    async def changes(self, after: int) -> tuple[list[MewsIntegration], int]:
        """The entries written after stream sequence `after`, oldest first, and the last
        sequence read (`after` when nothing is new). Unreadable entries are skipped."""
        found: list[MewsIntegration] = []
        last = after
        subjects = f"$KV.{MEWS_INTEGRATIONS.bucket}.integration.>"
        while True:
            try:
                raw = await self.js.get_msg(
                    MEWS_INTEGRATIONS.stream, seq=last + 1, subject=subjects, next=True
                )
            except NotFoundError:
                return found, last
            last = raw.seq or last + 1
            if not raw.data:
                continue  # a delete or purge marker: the entry's last state stands
            try:
                found.append(decode_value(raw.data, MewsIntegration))
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                log.warning("integration entry at %d unreadable: %s", last, exc)

    def credentials(self, integration: MewsIntegration, client_token: str) -> Credentials:
        """The integration's token, opened; TokenKeyError without the key that sealed it."""
        if self.seal is None:
            raise TokenKeyError(f"no token key to open onboarded properties' tokens: {KEY_HELP}")
        return Credentials(
            client_token=client_token,
            access_token=self.seal.open(integration.sealed_token),
            label=f"integration-{integration.integration_id[:8]}",
        )

    async def credentials_for(self, enterprise_id: str, client_token: str) -> Credentials | None:
        """The credentials of the enabled integration that opens `enterprise_id`, if any."""
        entries, _ = await self.changes(0)
        latest = {e.integration_id: e for e in entries}  # oldest first: the last one stands
        for integration in latest.values():
            if integration.callable and integration.bound:
                found = self.property_credentials(integration, client_token).get(enterprise_id)
                if found is not None:
                    return found
        return None

    def property_credentials(
        self, integration: MewsIntegration, client_token: str
    ) -> dict[str, Credentials]:
        """EnterpriseId → the credentials to call Mews with for it, for every property the
        integration's token opens (a portfolio's property: credentials that name it)."""
        credentials = self.credentials(integration, client_token)
        if not integration.portfolio:
            return {p.enterprise_id: credentials for p in integration.properties}
        return {
            p.enterprise_id: credentials.scoped(p.enterprise_id, p.chain_id)
            for p in integration.properties
        }


class EnvTokenWins:
    """An enterprise MEWS_ACCESS_TOKENS opens keeps the environment's token, whatever an
    integration for it says; said once per integration, when the two tokens differ."""

    def __init__(self, directory: IntegrationDirectory, client_token: str) -> None:
        self.directory = directory
        self.client_token = client_token
        self._told: set[str] = set()

    def note(self, integration: MewsIntegration, env_token: str) -> None:
        if not integration.callable or integration.integration_id in self._told:
            return
        try:
            opened = self.directory.credentials(integration, self.client_token).access_token
        except TokenKeyError:
            opened = None
        if opened == env_token:
            return
        self._told.add(integration.integration_id)
        log.warning(
            "integration %s opens enterprise %s, which MEWS_ACCESS_TOKENS opens with another "
            "token: the environment's token is used",
            integration.integration_id,
            integration.enterprise_id,
        )


#: What a follower calls for each integration whose entry changed: start, re-key or stop.
OnIntegration = Callable[[MewsIntegration], Awaitable[None]]


class IntegrationFollower:
    """Polls the directory and hands each new entry to `on_change`, in order. The first
    poll hands over every entry the bucket keeps (a process learns its properties at start)."""

    def __init__(
        self, directory: IntegrationDirectory, on_change: OnIntegration, *, every_s: float = 2.0
    ) -> None:
        self.directory = directory
        self.on_change = on_change
        self.every_s = every_s
        self.seen = 0
        #: Set after the first poll: every stored integration was handed over once.
        self.caught_up = asyncio.Event()

    async def poll(self) -> int:
        """One poll; returns how many entries were handed over."""
        changes, self.seen = await self.directory.changes(self.seen)
        latest = {c.integration_id: c for c in changes}  # only the last state of each matters
        for integration in latest.values():
            try:
                await self.on_change(integration)
            except Exception:
                log.exception(
                    "integration %s (%s) could not be applied",
                    integration.integration_id,
                    integration.enterprise_id,
                )
        self.caught_up.set()
        return len(latest)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.poll()
            except Exception as exc:  # NATS away: the next poll tries again
                log.warning("reading the integrations failed: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.every_s)


def main() -> None:
    """Print a new token key (for MEWS_TOKEN_KEY): 32 random bytes, url-safe base64."""
    print(Fernet.generate_key().decode())  # noqa: T201 - the command's one output


if __name__ == "__main__":
    main()


__all__ = [
    "EnvTokenWins",
    "IntegrationDirectory",
    "IntegrationFollower",
    "OnIntegration",
    "TokenKeyError",
    "TokenSeal",
    "token_hint",
]


async def property_client(
    js: JetStreamContext,
    mews: MewsSettings,
    enterprise_id: str,
    make_client: Callable[[Credentials], MewsClient],
) -> MewsClient | None:
    """A client for `enterprise_id` (an ops command's): from the tokens of
    MEWS_ACCESS_TOKENS (each asked which properties it opens), else, with a token key, from
    the enabled integration onboarded for it; None when neither opens it. A MewsError from
    asking a token is the caller's to report."""
    for credentials in mews.credentials:
        clients = await clients_of_token(credentials, make_client)
        found = clients.pop(enterprise_id, None)
        for other in clients.values():
            await other.aclose()
        if found is not None:
            return found
    seal = TokenSeal.of(mews.token_key)
    if seal is None:
        return None
    onboarded = await IntegrationDirectory(js, seal).credentials_for(
        enterprise_id, mews.client_token
    )
    return make_client(onboarded) if onboarded is not None else None
