"""Sign-in limits shared by every gateway replica through NATS KV (`signin_limits`).

- **Sliding windows** (a log of the last `limit` admitted attempts per key): at most `limit`
  attempts in any `per_s` seconds, with no burst at a fixed window's edge. Per client address
  for login, refresh, logout and set-password (each its own window); per account (the
  normalised email) for login. A refused attempt is not logged, so hammering does not
  extend the wait; `Retry-After` is when the oldest logged attempt leaves the window.
- **Lockout with back-off**, per account *and client*: `lockout_after` failed sign-ins in a
  row from one client to one account lock that client out of that account for `lockout_s`,
  doubling with each further lockout up to `lockout_max_s`; a success resets it; failures
  and lockouts older than `lockout_memory_s` are forgotten. Keyed by the pair, so an attacker
  at one address locks out only itself: the real user, elsewhere, still signs in. Guessing
  from many addresses is bounded by the per-account window, which one locked-out address can
  never fill on its own (with the defaults one address gets at most 20 attempts in any
  15 minutes; the account window allows 30), so one address cannot lock the account either.
- **Clients** are keyed by address; an IPv6 client by its /64 (one host usually has the
  whole prefix). Keys are SHA-256 hashes: no email or address is stored.
- **Shared state**: every change is a read-modify-write of one KV entry with
  `update(..., last=revision)` (or `create` for a new key), recomputed on a revision
  conflict, as the shared Mews bucket does (libs/platform/ratelimit.py). Times are wall-clock
  seconds from the injected clock. If NATS cannot be asked, `LimitsUnavailable` is raised and
  the sign-in is refused (503): it never falls back to an unshared budget.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import ipaddress
import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import msgspec
from nats.errors import Error as NatsError
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from attendandt.gateway.settings import RateLimits, Window

log = logging.getLogger(__name__)

#: Give up on a key after this many revision conflicts in a row (a storm of writers).
_MAX_CONFLICTS = 50
_CONFLICT_PAUSE = 0.005

S = TypeVar("S", bound=msgspec.Struct)
R = TypeVar("R")


class Action(enum.StrEnum):
    LOGIN = "login"
    REFRESH = "refresh"
    LOGOUT = "logout"
    SET_PASSWORD = "set_password"  # noqa: S105 - an action, not a secret


class LimitsUnavailable(RuntimeError):
    """The shared state could not be read or written."""


@dataclass(frozen=True)
class Refusal:
    #: Whole seconds until an attempt may succeed (at least 1): the `Retry-After` value.
    retry_after: int
    reason: str


class WindowState(msgspec.Struct, kw_only=True):
    #: Wall-clock seconds of the admitted attempts still in the window, oldest first.
    hits: list[float] = msgspec.field(default_factory=list)


class LockoutState(msgspec.Struct, kw_only=True):
    #: Failures in a row since the last lockout (or success).
    failures: int = 0
    #: Lockouts so far: the next one lasts `lockout_s * 2**lockouts` (capped).
    lockouts: int = 0
    locked_until: float = 0.0
    last_failure: float = 0.0


def normalise_email(email: str) -> str:
    """As the users service stores it: trimmed and lower-cased."""
    return email.strip().lower()


def client_key(host: str | None) -> str:
    """An IPv6 client counts as its /64; anything unparsable as itself."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _key(*parts: str) -> str:
    kind, rest = parts[0], "\x00".join(parts[1:])
    return f"{kind}.{hashlib.sha256(rest.encode()).hexdigest()[:40]}"


def seconds(value: float) -> int:
    return max(1, math.ceil(value))


class SignInLimiter:
    def __init__(
        self,
        kv: KeyValue,
        limits: RateLimits,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.kv = kv
        self.limits = limits
        self._clock = clock
        self._windows: dict[Action, Window] = {
            Action.LOGIN: limits.login_per_client,
            Action.REFRESH: limits.refresh_per_client,
            Action.LOGOUT: limits.logout_per_client,
            Action.SET_PASSWORD: limits.set_password_per_client,
        }

    # -- the use cases -------------------------------------------------------------------------

    async def admit(
        self, action: Action, client: str | None, *, account: str | None = None
    ) -> Refusal | None:
        """Count one attempt, or say why (and how long) it must wait. A login names the
        account: its lockout (for this client) is checked first and its window counted too."""
        who = client_key(client)
        if account is not None:
            account = normalise_email(account)
            locked = await self._locked(account, who)
            if locked is not None:
                return locked
        refusal = await self._hit(
            _key(f"{action.value}.client", who), self._windows[action], "too many attempts"
        )
        if refusal is None and account is not None and action is Action.LOGIN:
            refusal = await self._hit(
                _key("login.account", account),
                self.limits.login_per_account,
                "too many sign-in attempts for this account",
            )
        return refusal

    async def failed(self, account: str, client: str | None) -> None:
        """A refused sign-in: may lock this client out of this account."""
        policy = self.limits

        def compute(state: LockoutState | None, now: float) -> tuple[None, LockoutState]:
            state = self._remembered(state, now)
            failures = state.failures + 1
            if failures < policy.lockout_after:
                changed = msgspec.structs.replace(state, failures=failures, last_failure=now)
                return None, changed
            length = min(policy.lockout_max_s, policy.lockout_s * 2**state.lockouts)
            return None, LockoutState(
                failures=0,
                lockouts=state.lockouts + 1,
                locked_until=now + length,
                last_failure=now,
            )

        await self._change(self._lockout_key(account, client), LockoutState, compute)

    async def succeeded(self, account: str, client: str | None) -> None:
        """A successful sign-in resets this client's failures and back-off on this account."""
        key = self._lockout_key(account, client)
        try:
            await self.kv.delete(key)
        except KeyNotFoundError:
            return
        except (NatsError, TimeoutError) as exc:
            # The user is signed in; a stale failure count only shortens their next lockout.
            log.warning("could not reset a sign-in lockout", extra={"reason": str(exc)})

    # -- parts ---------------------------------------------------------------------------------

    def _lockout_key(self, account: str, client: str | None) -> str:
        return _key("login.lockout", normalise_email(account), client_key(client))

    def _remembered(self, state: LockoutState | None, now: float) -> LockoutState:
        if state is None or now - state.last_failure > self.limits.lockout_memory_s:
            return LockoutState()
        return state

    async def _locked(self, account: str, who: str) -> Refusal | None:
        entry = await self._read(_key("login.lockout", account, who), LockoutState)
        now = self._clock()
        if entry is None or entry[0].locked_until <= now:
            return None
        return Refusal(
            seconds(entry[0].locked_until - now),
            "too many failed sign-ins for this account from this address",
        )

    async def _hit(self, key: str, window: Window, reason: str) -> Refusal | None:
        def compute(state: WindowState | None, now: float) -> tuple[float, WindowState | None]:
            hits = [t for t in (state.hits if state else []) if t > now - window.per_s]
            if len(hits) >= window.limit:
                # Refused: not logged. The attempt may go when the oldest leaves the window.
                return hits[len(hits) - window.limit] + window.per_s - now, None
            hits.append(now)
            return 0.0, WindowState(hits=hits[-window.limit :])

        wait = await self._change(key, WindowState, compute)
        return Refusal(seconds(wait), reason) if wait > 0 else None

    async def _read(self, key: str, kind: type[S]) -> tuple[S, int] | None:
        try:
            entry = await self.kv.get(key)
        except KeyNotFoundError:
            return None
        except (NatsError, TimeoutError) as exc:
            raise LimitsUnavailable(str(exc)) from exc
        try:
            return msgspec.json.decode(entry.value or b"", type=kind), entry.revision or 0
        except (msgspec.DecodeError, msgspec.ValidationError):
            log.warning("sign-in limit state %s unreadable; starting it afresh", key[:14])
            return kind(), entry.revision or 0

    async def _change(
        self,
        key: str,
        kind: type[S],
        compute: Callable[[S | None, float], tuple[R, S | None]],
    ) -> R:
        """Read, compute, write back if changed (revision-checked); recompute on a conflict."""
        for _ in range(_MAX_CONFLICTS):
            current = await self._read(key, kind)
            result, new = compute(current[0] if current else None, self._clock())
            if new is None:
                return result
            data = msgspec.json.encode(new)
            try:
                if current is None:
                    await self.kv.create(key, data)
                else:
                    await self.kv.update(key, data, last=current[1])
            except KeyWrongLastSequenceError:
                await asyncio.sleep(random.uniform(0, _CONFLICT_PAUSE))  # noqa: S311
                continue
            except (NatsError, TimeoutError) as exc:
                raise LimitsUnavailable(str(exc)) from exc
            return result
        raise LimitsUnavailable(f"too many concurrent changes of {key[:14]}")


__all__ = [
    "Action",
    "LimitsUnavailable",
    "LockoutState",
    "Refusal",
    "SignInLimiter",
    "WindowState",
    "client_key",
    "normalise_email",
]
