"""Password hashing (argon2id), the password policy, and the random tokens' hashes.

Hashing and verifying are CPU- and memory-heavy on purpose, so they run in worker threads
(the event loop keeps answering) and at most `max_concurrent` at a time (each takes
`memory_cost` KiB). A sign-in for an unknown email, or for a user without a password,
verifies against a dummy hash made with the same parameters, so it costs the same as a
wrong password for a real user and its timing does not tell whether the account exists.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 12
#: Long enough for any passphrase; bounds the work a single request can ask for.
MAX_PASSWORD_LENGTH = 1024


@dataclass(frozen=True)
class HashParameters:
    """argon2id cost. The defaults are argon2-cffi's (RFC 9106 low-memory profile)."""

    time_cost: int = 3
    memory_cost_kib: int = 65536
    parallelism: int = 4
    max_concurrent: int = 4


class PasswordPolicyError(ValueError):
    """The new password does not meet the policy; the message says why."""


def check_policy(password: str, *, email: str | None = None) -> None:
    """A deliberately small policy: long enough, not trivially guessable from the account."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    if not password.strip():
        raise PasswordPolicyError("a password cannot be only spaces")
    if len(set(password)) < 4:
        raise PasswordPolicyError("a password needs at least 4 different characters")
    name_part = email.split("@", 1)[0].lower() if email else ""
    if len(name_part) >= 4 and name_part in password.lower():
        raise PasswordPolicyError("a password cannot contain the email's name part")


class PasswordHashing:
    def __init__(self, parameters: HashParameters) -> None:
        self._hasher = PasswordHasher(
            time_cost=parameters.time_cost,
            memory_cost=parameters.memory_cost_kib,
            parallelism=parameters.parallelism,
            type=Type.ID,
        )
        self._slots = asyncio.Semaphore(parameters.max_concurrent)
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when `password` matches; with no hash, spends the same work and says False."""
        if password_hash is None:
            await self._verify(await self._dummy(), password)
            return False
        return await self._verify(password_hash, password)

    async def warm_up(self) -> None:
        """Make the dummy hash now, so the first unknown-email sign-in costs no more."""
        await self._dummy()

    def needs_rehash(self, password_hash: str) -> bool:
        """The hash was made with other parameters (or another algorithm variant)."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    async def _verify(self, password_hash: str, password: str) -> bool:
        async with self._slots:
            try:
                return await asyncio.to_thread(self._hasher.verify, password_hash, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await self.hash(secrets.token_urlsafe(32))
        return self._dummy_hash


def new_token() -> str:
    """An opaque 256-bit random token, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored for a random token (SHA-256: tokens carry 256 bits of entropy)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_password(email: str) -> str:
    """A random password that meets the policy (for the seed command)."""
    while True:
        password = secrets.token_urlsafe(18)
        try:
            check_policy(password, email=email)
        except PasswordPolicyError:
            continue
        return password
