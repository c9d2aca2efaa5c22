"""Transport for the Mews Connector API: auth in every body, errors as exceptions, retries.

Every request takes a token from the rate limiter first. Reads are retried with exponential
backoff and jitter on 408, 429, 5xx and transport failures. Writes are never retried: a write
that may have reached Mews without a trustworthy answer raises ``MewsOutcomeUnknown``.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
import msgspec
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_exponential_jitter

from . import metrics
from .batching import DEFAULT_MAX_INTERVAL_MONTHS
from .environments import Credentials, Environment, resolve_environment
from .errors import (
    MewsApiError,
    MewsConnectionError,
    MewsDecodeError,
    MewsOutcomeUnknown,
    MewsRateLimited,
    MewsServerError,
    MewsTimeout,
    MewsTransportError,
    error_class_for_status,
)
from .models.common import MewsModel
from .paging import MAX_PAGE_SIZE, check_page_size
from .portfolio import scope_fields
from .ratelimit import LocalTokenBucket, RateLimiter

logger = logging.getLogger("attendandt.mews")

API_PREFIX = "/api/connector/v1/"
DEFAULT_CLIENT_NAME = "Attendandt 0.1.0"
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)

T = TypeVar("T")

# Failures that happen before any byte of the request left: safe to call "not sent".
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


@dataclass(frozen=True)
class RetryPolicy:
    """Retry bounds for reads. Writes are never retried.

    Waits grow as ``backoff_initial * 2**(attempt-1)`` plus up to ``jitter`` seconds, capped at
    ``backoff_max``; a 429 with ``Retry-After`` waits exactly that long instead. A ``Retry-After``
    above ``max_retry_after`` is not waited for in-process: the 429 is raised to the caller.
    """

    max_attempts: int = 5
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    jitter: float = 0.5
    max_retry_after: float = 120.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")


class _ErrorBody(MewsModel):
    message: str | None = None
    request_id: str | None = None
    details: str | None = None


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date; None when absent or invalid."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


class BaseMewsClient:
    """Owns the HTTP connection pool, credentials, limiter and retry policy of one AccessToken.

    Use ``MewsClient`` (typed operations) rather than this class directly; ``call`` is the
    escape hatch for operations without a typed method.

    - ``environment``: ``"demo"``, ``"production"``, an ``Environment`` or any http(s) base URL.
    - ``limiter``: the ``RateLimiter`` of this AccessToken (default: a ``LocalTokenBucket``).
    - ``retry``: bounds of read retries; writes are never retried.
    - ``page_size``: default ``Limitation.Count`` (1..1000).
    - ``max_interval_months``: longest time window per request (Mews documents 3 months).
    - ``http_client``: share an ``httpx.AsyncClient`` (then ``timeout`` and ``transport`` are
      its own, and closing it is the caller's job); ``transport``: e.g. ``httpx.MockTransport``.
    - ``sleep``: how retry waits are slept (tests record them instead of sleeping).
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        environment: str | Environment = "demo",
        client_name: str = DEFAULT_CLIENT_NAME,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        language_code: str | None = None,
        culture_code: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        page_size: int = MAX_PAGE_SIZE,
        max_interval_months: int = DEFAULT_MAX_INTERVAL_MONTHS,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if max_interval_months < 1:
            raise ValueError("max_interval_months must be >= 1")
        if (language_code is None) != (culture_code is None):
            raise ValueError("LanguageCode and CultureCode must be given together")
        self.credentials = credentials
        self.environment = resolve_environment(environment)
        self.client_name = client_name
        self.limiter: RateLimiter = limiter if limiter is not None else LocalTokenBucket()
        self.retry_policy = retry or RetryPolicy()
        self._language = (language_code, culture_code)
        self.page_size = check_page_size(page_size)
        self.max_interval_months = max_interval_months
        self._sleep = sleep
        self._url_prefix = self.environment.base_url.rstrip("/") + API_PREFIX
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": client_name},
        )
        self._encoder = msgspec.json.Encoder(decimal_format="number")
        self._decoders: dict[type[Any], msgspec.json.Decoder[Any]] = {}
        self._backoff = wait_exponential_jitter(
            multiplier=self.retry_policy.backoff_initial,
            max=self.retry_policy.backoff_max,
            jitter=self.retry_policy.jitter,
        )

    # -- lifecycle -------------------------------------------------------------------------------

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(environment={self.environment.name!r}, "
            f"base_url={self.environment.base_url!r}, client={self.client_name!r}, "
            f"access_token={self.credentials.access_token_hint!r})"
        )

    # -- request building ------------------------------------------------------------------------

    def encode_body(
        self,
        request: msgspec.Struct | None,
        extra: Mapping[str, Any] | None = None,
        *,
        operation: str = "",
    ) -> bytes:
        """The JSON body: ``ClientToken``, ``AccessToken``, ``Client``, the request fields,
        then, for a portfolio property's client, the fields naming that property (unless
        the request names enterprises or chains itself)."""
        body: dict[str, Any] = {
            "ClientToken": self.credentials.client_token,
            "AccessToken": self.credentials.access_token,
            "Client": self.client_name,
        }
        language, culture = self._language
        if language is not None:
            body["LanguageCode"] = language
            body["CultureCode"] = culture
        if request is not None:
            fields = msgspec.to_builtins(request, builtin_types=(Decimal,))
            if not isinstance(fields, dict):
                raise TypeError("a Mews request must encode to a JSON object")
            body.update(fields)
        if extra:
            body.update(extra)
        scope = self.credentials.scope
        if scope is not None:
            for name, value in scope_fields(operation, scope).items():
                body.setdefault(name, value)
        return self._encoder.encode(body)

    def _decoder(self, response_type: type[T]) -> msgspec.json.Decoder[T]:
        decoder = self._decoders.get(response_type)
        if decoder is None:
            decoder = msgspec.json.Decoder(response_type)
            self._decoders[response_type] = decoder
        return decoder

    # -- calling ---------------------------------------------------------------------------------

    async def call(
        self,
        operation: str,
        request: msgspec.Struct | None,
        response_type: type[T],
        *,
        write: bool = False,
        extra: Mapping[str, Any] | None = None,
    ) -> T:
        """POST ``operation`` (e.g. ``"customers/getAll"``) and decode the answer.

        ``write=True`` marks a non-idempotent operation: it takes the limiter's write priority,
        is tried exactly once, and raises ``MewsOutcomeUnknown`` when it may have been applied.
        """
        body = self.encode_body(request, extra, operation=operation)
        if write:
            return await self._attempt(operation, body, response_type, write=True)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.retry_policy.max_attempts),
            wait=self._wait,
            retry=retry_if_exception(self._is_retryable),
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._attempt(operation, body, response_type, write=False)
        raise AssertionError("unreachable: tenacity re-raises the last failure")

    def _is_retryable(self, exc: BaseException) -> bool:
        if isinstance(exc, MewsRateLimited):
            return exc.retry_after is None or exc.retry_after <= self.retry_policy.max_retry_after
        return isinstance(exc, MewsTimeout | MewsServerError | MewsTransportError)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        if isinstance(exc, MewsRateLimited) and exc.retry_after is not None:
            return exc.retry_after
        return float(self._backoff(state))

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        logger.info(
            "Mews read retry %d/%d in %.2fs after: %s",
            state.attempt_number,
            self.retry_policy.max_attempts,
            wait,
            exc,
        )

    async def _attempt(
        self, operation: str, body: bytes, response_type: type[T], *, write: bool
    ) -> T:
        waited_from = time.perf_counter()
        await self.limiter.acquire(write=write)
        sent_at = time.perf_counter()
        metrics.LIMITER_WAIT.labels("write" if write else "read").observe(sent_at - waited_from)
        try:
            response = await self._http.post(
                self._url_prefix + operation,
                content=body,
                headers={"Content-Type": "application/json"},
            )
        except _NOT_SENT as exc:
            metrics.REQUESTS.labels(operation, metrics.NOT_SENT).inc()
            logger.warning("Mews %s not sent: %s", operation, type(exc).__name__)
            raise MewsConnectionError(
                f"request not sent: {type(exc).__name__}: {exc}", operation=operation
            ) from exc
        except httpx.TransportError as exc:
            metrics.REQUESTS.labels(operation, metrics.NO_ANSWER).inc()
            detail = f"{type(exc).__name__}: {exc}"
            if write:
                logger.warning("Mews %s outcome unknown: %s", operation, detail)
                raise MewsOutcomeUnknown(
                    f"sent, no answer ({detail})", operation=operation, cause=exc
                ) from exc
            logger.warning("Mews %s transport failure: %s", operation, detail)
            raise MewsTransportError(detail, operation=operation) from exc

        metrics.REQUESTS.labels(operation, str(response.status_code)).inc()
        metrics.LATENCY.labels(operation).observe(time.perf_counter() - sent_at)
        request_id = response.headers.get("Request-Id")
        if response.is_success:
            return self._decode_success(operation, response, response_type, request_id, write)

        error = self._error_from(operation, response, request_id)
        logger.warning(
            "Mews %s failed: HTTP %d, Request-Id %s: %s",
            operation,
            response.status_code,
            error.request_id,
            error.message,
        )
        if isinstance(error, MewsRateLimited):
            metrics.RATE_LIMITED.labels(operation).inc()
            await self.limiter.on_rate_limited(error.retry_after)
        if write and isinstance(error, MewsServerError | MewsTimeout):
            raise MewsOutcomeUnknown(
                f"Mews answered {response.status_code}: {error.message}",
                operation=operation,
                status=error.status,
                request_id=error.request_id,
                details=error.details,
                cause=error,
            ) from error
        raise error

    def _decode_success(
        self,
        operation: str,
        response: httpx.Response,
        response_type: type[T],
        request_id: str | None,
        write: bool,
    ) -> T:
        content = response.content if response.status_code != 204 else b""
        try:
            return self._decoder(response_type).decode(content or b"{}")
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            error = MewsDecodeError(
                f"unexpected response body: {exc}",
                operation=operation,
                status=response.status_code,
                request_id=request_id,
            )
            logger.warning(
                "Mews %s answered %d with an undecodable body, Request-Id %s: %s",
                operation,
                response.status_code,
                request_id,
                exc,
            )
            if write:
                raise MewsOutcomeUnknown(
                    "Mews accepted the write but its answer could not be decoded",
                    operation=operation,
                    status=response.status_code,
                    request_id=request_id,
                    cause=error,
                ) from exc
            raise error from exc

    def _error_from(
        self, operation: str, response: httpx.Response, header_request_id: str | None
    ) -> MewsApiError:
        parsed = _ErrorBody()
        if response.content:
            try:
                parsed = msgspec.json.decode(response.content, type=_ErrorBody)
            except (msgspec.DecodeError, msgspec.ValidationError):
                parsed = _ErrorBody(message=response.text[:500] or None)
        message = parsed.message or response.reason_phrase or "no message"
        request_id = parsed.request_id or header_request_id
        cls = error_class_for_status(response.status_code)
        if cls is MewsRateLimited:
            return MewsRateLimited(
                message,
                operation=operation,
                status=response.status_code,
                request_id=request_id,
                details=parsed.details,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        return cls(
            message,
            operation=operation,
            status=response.status_code,
            request_id=request_id,
            details=parsed.details,
        )


__all__ = [
    "API_PREFIX",
    "DEFAULT_CLIENT_NAME",
    "DEFAULT_TIMEOUT",
    "BaseMewsClient",
    "RetryPolicy",
    "parse_retry_after",
]
