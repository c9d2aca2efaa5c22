"""Who is calling: bearer tokens to a principal.

Two kinds of access token, told apart by their issuer, each verified with its own key and a
FIXED list of algorithms (never the token's own `alg` choice, so an HS256 token signed with
a public key, or `alg: none`, never verifies):

- the gateway's own (legacy sign-in): HS256 with GATEWAY_SIGNING_KEY, issuer and audience
  `attendandt-gateway`, 15 minutes; `sub` is our user id;
- external, Supabase-compatible: HS256 with JWT_SECRET, or RS256 / ES256 with a key from
  JWKS_URL (chosen by `kid`); audience JWT_AUDIENCE, issuer JWT_ISSUER when set; `sub` is
  linked to a user by the users service (`get_principal_by_subject`).

exp, iss, aud and sub are required in both. Either way the principal comes from the users
service (cached for a few seconds, dropped on that user's events), so a deactivated user is
refused within that time even with an unexpired token.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware.authentication import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
)
from litestar.types import ASGIApp

from attendandt.contracts.rpc import users as users_rpc
from attendandt.contracts.rpc.users import Principal
from attendandt.gateway.settings import GATEWAY_ISSUER, ExternalJwtSettings
from attendandt.platform.rpc import RpcFailure

log = logging.getLogger(__name__)

#: Algorithms per key source; never taken from the token.
OWN_ALGORITHMS = ("HS256",)
SECRET_ALGORITHMS = ("HS256",)
JWKS_ALGORITHMS = ("RS256", "ES256")
REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]
#: A token naming an unknown `kid` makes the gateway fetch the JWKS again, at most this often.
JWKS_REFETCH_S = 30.0


class InvalidToken(Exception):
    """The token is not acceptable; the message is safe to show (no token content)."""


@dataclass(frozen=True)
class Subject:
    """A verified token's subject: our user id, or an external identity's `sub`."""

    kind: str  # "user" (our own token) or "external"
    value: str


class JwksKeys:
    """The JWKS keys, fetched when first needed, refreshed after a TTL or an unknown kid."""

    def __init__(self, url: str, ttl_s: float, http: httpx.AsyncClient | None = None) -> None:
        self.url = url
        self.ttl_s = ttl_s
        self._http = http
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def key(self, kid: str | None) -> jwt.PyJWK:
        now = time.monotonic()
        stale = now - self._fetched_at > self.ttl_s
        unknown = kid not in self._keys and now - self._fetched_at > JWKS_REFETCH_S
        if stale or unknown:
            async with self._lock:
                if time.monotonic() - self._fetched_at > min(self.ttl_s, JWKS_REFETCH_S):
                    await self._fetch()
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        if kid is None or kid not in self._keys:
            raise InvalidToken("the token's signing key is not known")
        return self._keys[kid]

    async def _fetch(self) -> None:
        try:
            if self._http is not None:
                response = await self._http.get(self.url, timeout=5)
            else:
                async with httpx.AsyncClient() as http:
                    response = await http.get(self.url, timeout=5)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("JWKS fetch failed: %s", exc)
            self._fetched_at = time.monotonic()  # do not hammer a failing endpoint
            return
        keys: dict[str, jwt.PyJWK] = {}
        for entry in document.get("keys", []):
            try:
                key = jwt.PyJWK(entry)
            except jwt.PyJWTError:
                continue
            # Only asymmetric signing keys: a symmetric (oct) key in a JWKS is ignored.
            if key.algorithm_name in JWKS_ALGORITHMS and entry.get("use", "sig") == "sig":
                keys[str(entry.get("kid", ""))] = key
        self._keys = keys
        self._fetched_at = time.monotonic()


class TokenVerifier:
    """Verifies both kinds of access token and signs the gateway's own."""

    def __init__(
        self,
        signing_key: str,
        external: ExternalJwtSettings,
        *,
        access_token_ttl_s: int = 900,
        jwks: JwksKeys | None = None,
    ) -> None:
        self._signing_key = signing_key
        self._external = external
        self.access_token_ttl_s = access_token_ttl_s
        self._jwks = jwks
        if self._jwks is None and external.jwks_url:
            self._jwks = JwksKeys(external.jwks_url, external.jwks_ttl_s)

    def issue(self, user_id: str, *, now: float | None = None) -> tuple[str, int]:
        """An access token for our user `user_id`; returns it and its lifetime (s)."""
        issued = int(now if now is not None else time.time())
        claims = {
            "iss": GATEWAY_ISSUER,
            "aud": GATEWAY_ISSUER,
            "sub": user_id,
            "iat": issued,
            "nbf": issued,
            "exp": issued + self.access_token_ttl_s,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(claims, self._signing_key, algorithm="HS256", headers={"typ": "JWT"})
        return token, self.access_token_ttl_s

    async def verify(self, token: str) -> Subject:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise InvalidToken("the token is malformed") from exc
        alg = header.get("alg")
        if not isinstance(alg, str) or alg.lower() == "none":
            raise InvalidToken("unsigned tokens are not accepted")
        if unverified.get("iss") == GATEWAY_ISSUER:
            claims = self._decode(
                token, self._signing_key, OWN_ALGORITHMS, GATEWAY_ISSUER, GATEWAY_ISSUER
            )
            return Subject("user", str(claims["sub"]))
        if not self._external.enabled:
            raise InvalidToken("the token's issuer is not trusted")
        key: Any
        if alg in SECRET_ALGORITHMS:
            if not self._external.hs256_secret:
                raise InvalidToken("symmetric tokens are not accepted")
            key, algorithms = self._external.hs256_secret, SECRET_ALGORITHMS
        elif alg in JWKS_ALGORITHMS:
            if self._jwks is None:
                raise InvalidToken("asymmetric tokens are not accepted")
            jwk = await self._jwks.key(header.get("kid"))
            # The key's own algorithm, not the token's: an RSA key only ever verifies RS256.
            key, algorithms = jwk, (jwk.algorithm_name,)
        else:
            raise InvalidToken("the token's algorithm is not accepted")
        claims = self._decode(
            token, key, algorithms, self._external.issuer, self._external.audience
        )
        return Subject("external", str(claims["sub"]))

    def _decode(
        self,
        token: str,
        key: Any,
        algorithms: tuple[str, ...],
        issuer: str | None,
        audience: str,
    ) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=list(algorithms),
                audience=audience,
                issuer=issuer,
                leeway=self._external.leeway_s,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("the token has expired") from exc
        except (jwt.InvalidAudienceError, jwt.InvalidIssuerError) as exc:
            raise InvalidToken("the token is not meant for this API") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken("the token is not valid") from exc
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise InvalidToken("the token names no subject")
        return claims


RpcCall = Callable[[Any, Any], Awaitable[Any]]


class PrincipalCache:
    """Principals by token subject for a few seconds; `forget_user` on that user's events."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._entries: dict[tuple[str, str], tuple[float, Principal]] = {}

    def get(self, subject: Subject) -> Principal | None:
        entry = self._entries.get((subject.kind, subject.value))
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, subject: Subject, principal: Principal) -> None:
        if self.ttl_s <= 0:
            return
        if len(self._entries) > 10_000:
            self._entries.clear()  # bounded: a flood of distinct tokens cannot grow it
        self._entries[(subject.kind, subject.value)] = (time.monotonic() + self.ttl_s, principal)

    def forget_user(self, user_id: str) -> None:
        for key, (_, principal) in list(self._entries.items()):
            if principal.user_id == user_id:
                self._entries.pop(key, None)


class Authenticator:
    def __init__(self, verifier: TokenVerifier, cache: PrincipalCache, call: RpcCall) -> None:
        self.verifier = verifier
        self.cache = cache
        self._call = call

    async def principal(self, token: str) -> Principal:
        """The principal of a bearer token; raises NotAuthorizedException (401)."""
        try:
            subject = await self.verifier.verify(token)
        except InvalidToken as exc:
            raise NotAuthorizedException(str(exc), headers=_challenge("invalid_token")) from exc
        cached = self.cache.get(subject)
        if cached is not None:
            return cached
        try:
            if subject.kind == "user":
                reply = await self._call(
                    users_rpc.GET_PRINCIPAL, users_rpc.GetPrincipalRequest(user_id=subject.value)
                )
            else:
                reply = await self._call(
                    users_rpc.GET_PRINCIPAL_BY_SUBJECT,
                    users_rpc.GetPrincipalBySubjectRequest(subject=subject.value),
                )
        except RpcFailure as exc:
            if exc.error.status in (401, 403, 404):
                # Unknown, unlinked or deactivated: the same answer for each.
                raise NotAuthorizedException(
                    "the token's user is unknown or deactivated",
                    headers=_challenge("invalid_token"),
                ) from exc
            raise
        principal: Principal = reply.principal
        self.cache.put(subject, principal)
        return principal


def _challenge(error: str) -> dict[str, str]:
    return {"WWW-Authenticate": f'Bearer error="{error}"'}


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    header = connection.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class AuthMiddleware(AbstractAuthenticationMiddleware):
    """Sets `scope["user"]` to the Principal on every API route not marked public."""

    def __init__(self, app: ASGIApp, authenticator: Callable[[], Authenticator]) -> None:
        super().__init__(app, exclude_from_auth_key="public")
        self._authenticator = authenticator

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = bearer_token(connection)
        if token is None:
            raise NotAuthorizedException(
                "a bearer token is required", headers={"WWW-Authenticate": "Bearer"}
            )
        principal = await self._authenticator().principal(token)
        return AuthenticationResult(user=principal, auth=None)
