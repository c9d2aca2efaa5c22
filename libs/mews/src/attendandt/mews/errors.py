"""Typed exceptions for Mews Connector API failures.

Every exception carries what support needs to trace a call: the operation path, the HTTP status
(when a response arrived), the Mews ``Message`` and the request id (body ``RequestId`` or the
``Request-Id`` header).
"""

from __future__ import annotations


class MewsError(Exception):
    """Base class of every error raised by the Mews client."""

    status: int | None

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        details: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation
        self.status = status
        self.request_id = request_id
        self.details = details

    def __str__(self) -> str:
        parts = []
        if self.operation:
            parts.append(self.operation)
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        parts.append(self.message)
        text = ": ".join(parts)
        if self.request_id:
            text += f" (Request-Id {self.request_id})"
        return text


class MewsApiError(MewsError):
    """Mews answered with an error status. Subclasses name the statuses the client acts on."""


class MewsBadRequest(MewsApiError):
    """400: malformed input or a referenced entity missing or in a wrong state. Do not retry."""


class MewsUnauthorized(MewsApiError):
    """401: invalid or revoked tokens, or the operation is not permitted for the integration."""


class MewsForbidden(MewsApiError):
    """403: a business rule was violated; ``message`` is meant for the end user."""


class MewsNotFound(MewsApiError):
    """404: wrong path or method."""


class MewsTimeout(MewsApiError):
    """408: Mews could not build the response in time (ask for a smaller page or window)."""


class MewsConflict(MewsApiError):
    """409: the data changed concurrently; refetch and resubmit."""


class MewsContentTooLarge(MewsApiError):
    """413: the request body is too big."""


class MewsRateLimited(MewsApiError):
    """429: the AccessToken exceeded its request budget."""

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        status: int | None = 429,
        request_id: str | None = None,
        details: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            message, operation=operation, status=status, request_id=request_id, details=details
        )
        self.retry_after = retry_after


class MewsServerError(MewsApiError):
    """5xx: a fault on the Mews side."""


class MewsTransportError(MewsError):
    """No usable HTTP response: the connection failed or broke, or the client timed out."""


class MewsConnectionError(MewsTransportError):
    """The request certainly never reached Mews (connect failure, connect or pool timeout)."""


class MewsDecodeError(MewsError):
    """Mews answered 2xx with a body that does not match the expected shape."""


class MewsOutcomeUnknown(MewsError):
    """A write may or may not have been applied by Mews.

    Raised for writes when the request was sent but no trustworthy answer came back: the client
    timed out waiting, the connection dropped, Mews answered 408 or 5xx, or a success body could not
    be decoded. The write is never retried by the client; the caller must look the entity up in
    Mews (e.g. by ``ExternalIdentifier``) before deciding to send it again.
    """

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        details: str | None = None,
        cause: BaseException | None = None,
    ) -> None:
        super().__init__(
            message, operation=operation, status=status, request_id=request_id, details=details
        )
        self.cause = cause


_BY_STATUS: dict[int, type[MewsApiError]] = {
    400: MewsBadRequest,
    401: MewsUnauthorized,
    403: MewsForbidden,
    404: MewsNotFound,
    408: MewsTimeout,
    409: MewsConflict,
    413: MewsContentTooLarge,
    429: MewsRateLimited,
}


def error_class_for_status(status: int) -> type[MewsApiError]:
    """The exception class for an HTTP error status (``MewsApiError`` for unlisted ones)."""
    if status >= 500:
        return MewsServerError
    return _BY_STATUS.get(status, MewsApiError)


__all__ = [
    "MewsApiError",
    "MewsBadRequest",
    "MewsConflict",
    "MewsConnectionError",
    "MewsContentTooLarge",
    "MewsDecodeError",
    "MewsError",
    "MewsForbidden",
    "MewsNotFound",
    "MewsOutcomeUnknown",
    "MewsRateLimited",
    "MewsServerError",
    "MewsTimeout",
    "MewsTransportError",
    "MewsUnauthorized",
    "error_class_for_status",
]
