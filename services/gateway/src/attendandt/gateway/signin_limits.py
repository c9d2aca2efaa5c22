"""Sign-in limits shared by every gateway replica through NATS KV (`signin_limits`).

- **Sliding windows** (a log of the last `limit` admitted attempts per key): at most `limit`
  attempts in any `per_s` seconds, with no burst at a fixed window's edge. Per client address
  for login, refresh, logout and set-password (each its own window); per account (the
  normalised email) for login. A refused attempt is not logged, so hammering does not
  extend the wait; `Retry-After` is when the oldest logged attempt leaves the window.
- **Lockout with back-off**, per account *and client*: after `lockout_after` sign-ins in a
  row from one client to one account without a success, the next attempt locks that client
  out of that account for `lockout_s`, doubling with each further lockout up to
  `lockout_max_s`; a success resets it; attempts and lockouts quiet for `lockout_memory_s`
  are forgotten. Attempts are counted when admitted (atomically), so a parallel burst gets
  no more through than a sequence. Keyed by the pair, so an attacker
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
    #: Attempts admitted since the last lockout or success (none of them succeeded yet).
    attempts: int = 0
    #: Lockouts so far: the next one lasts `lockout_s * 2**lockouts` (capped).
    lockouts: int = 0
    locked_until: float = 0.0
    last_attempt: float = 0.0


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
        account: it passes this client's lockout gate on that account first (which counts
        it), then the client's window, then the account's."""
        who = client_key(client)
        gated = False
        if account is not None:
            account = normalise_email(account)
            locked = await self._gate(account, who)
            if locked is not None:
                # Not counted in any window: a locked-out address hammering away must not
                # use up the account's window for everyone else.
                return locked
            gated = True
        refusal = await self._hit(
            _key(f"{action.value}.client", who), self._windows[action], "too many attempts"
        )
        if refusal is None and account is not None and action is Action.LOGIN:
            refusal = await self._hit(
                _key("login.account", account),
                self.limits.login_per_account,
                "too many sign-in attempts for this account",
            )
        if refusal is not None and gated and account is not None:
            await self.release(account, client)
        return refusal

    async def succeeded(self, account: str, client: str | None) -> None:
        """A successful sign-in resets this client's attempts and back-off on this account."""
        key = self._lockout_key(account, client)
        try:
            await self.kv.delete(key)
        except KeyNotFoundError:
            return
        except (NatsError, TimeoutError) as exc:
            # The user is signed in; a stale count only shortens their next lockout.
            log.warning("could not reset a sign-in lockout", extra={"reason": str(exc)})

    async def release(self, account: str, client: str | None) -> None:
        """An admitted attempt that never tested the password (refused by a window, the
        users service failing): it does not count towards a lockout."""

        def compute(state: LockoutState | None, now: float) -> tuple[None, LockoutState | None]:
            if state is None or state.attempts == 0:
                return None, None
            return None, msgspec.structs.replace(state, attempts=state.attempts - 1)

        try:
            await self._change(self._lockout_key(account, client), LockoutState, compute)
        except LimitsUnavailable as exc:
            log.warning("could not release a sign-in attempt", extra={"reason": str(exc)})

    # -- parts ---------------------------------------------------------------------------------

    def _lockout_key(self, account: str, client: str | None) -> str:
        return _key("login.lockout", normalise_email(account), client_key(client))

    async def _gate(self, account: str, who: str) -> Refusal | None:
        """Count an attempt of `who` on `account`, or refuse it: locked, or `lockout_after`
        attempts since the last success (then the lock starts, doubling each time).

        Counted when admitted, not when the password turns out wrong, and in one
        revision-checked change: a burst of parallel attempts gets exactly `lockout_after`
        through, however many replicas it is spread over."""
        policy = self.limits
        reason = "too many failed sign-ins for this account from this address"

        def compute(
            state: LockoutState | None, now: float
        ) -> tuple[Refusal | None, LockoutState | None]:
            if state is None or now - state.last_attempt > policy.lockout_memory_s:
                state = LockoutState()
            if state.locked_until > now:
                return Refusal(seconds(state.locked_until - now), reason), None
            if state.attempts >= policy.lockout_after:
                length = min(policy.lockout_max_s, policy.lockout_s * 2**state.lockouts)
                locked = LockoutState(
                    attempts=0,
                    lockouts=state.lockouts + 1,
                    locked_until=now + length,
                    last_attempt=now,
                )
                return Refusal(seconds(length), reason), locked
            counted = msgspec.structs.replace(state, attempts=state.attempts + 1, last_attempt=now)
            return None, counted

        return await self._change(_key("login.lockout", account, who), LockoutState, compute)

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
