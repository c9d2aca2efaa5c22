"""Every error is an RFC 9457 problem (`application/problem+json`): type, title, status,
detail, instance, plus `request_id` (and `errors` for invalid input).

Domain services answer with an `RpcError(status, title, detail)`, mapped here; a service
that nobody answers for is 503, one that answers too late 504; an unexpected exception is a
500 whose detail says nothing about internals (the log has it, under the request id).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec

from attendandt.gateway.context import current_request_id
from attendandt.platform.rpc import RpcFailure, RpcTimeout

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
_TYPE_BASE = "urn:attendandt:problem:"


class FieldError(msgspec.Struct, frozen=True, kw_only=True):
    message: str
    key: str | None = None
    source: str | None = None


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """RFC 9457 problem details."""

    #: "about:blank" when the status says it all (RFC 9457 section 4.2.1).
    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None
    #: 429 (and 503): whole seconds to wait, as in the `Retry-After` header.
    retry_after: int | None = None


class ProblemException(HTTPException):
    """Raise to answer with a specific problem (`kind` becomes the type URI)."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        kind: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail=detail or "", status_code=status, headers=headers)
        self.kind = kind
        self.title = title or HTTPStatus(status).phrase
        self.problem_detail = detail


def problem_response(
    request: Request[Any, Any, Any] | None,
    status: int,
    *,
    title: str | None = None,
    detail: str | None = None,
    kind: str | None = None,
    headers: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
) -> Response[Problem]:
    retry_after = _retry_after(status, headers)
    if retry_after is not None:
        headers = {**(headers or {}), "Retry-After": str(retry_after)}
    problem = Problem(
        type=f"{_TYPE_BASE}{kind}" if kind else "about:blank",
        title=title or HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path if request is not None else None,
        request_id=current_request_id(),
        errors=errors,
        retry_after=retry_after,
    )
    return Response(problem, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _retry_after(status: int, headers: dict[str, str] | None) -> int | None:
    """Every 429 says when to come back: its own Retry-After, else the API limit's
    RateLimit-Reset, else a minute (the API limit's window)."""
    given = {k.lower(): v for k, v in (headers or {}).items()}
    for name in ("retry-after", "ratelimit-reset"):
        if name in given:
            try:
                return max(1, int(float(given[name])))
            except ValueError:
                continue
    return 60 if status == 429 else None


def from_rpc_failure(failure: RpcFailure) -> ProblemException:
    """A domain service's refusal, as the caller's problem. A 5xx inside a service is the
    gateway's upstream failing: 502, without its internals."""
    error = failure.error
    if error.status >= 500:
        return ProblemException(502, "a domain service failed", kind="upstream-error")
    if error.status == 400:
        # The gateway validated the input already: the service refusing to decode it is a
        # mismatch between the two, reported as the client's bad request with the reason.
        return ProblemException(400, error.detail or error.title)
    return ProblemException(error.status, error.detail or error.title, title=error.title)


def from_rpc_timeout(timeout: RpcTimeout) -> ProblemException:
    if timeout.no_responders:
        return ProblemException(
            503,
            "the service that answers this is not running; try again shortly",
            kind="service-unavailable",
            headers={"Retry-After": "5"},
        )
    return ProblemException(504, "the service did not answer in time", kind="upstream-timeout")


# --- exception handlers -------------------------------------------------------------------


def _problem_exception(request: Request[Any, Any, Any], exc: ProblemException) -> Response[Any]:
    return problem_response(
        request,
        exc.status_code,
        title=exc.title,
        detail=exc.problem_detail,
        kind=exc.kind,
        headers=exc.headers,
    )


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors: list[FieldError] = []
    if isinstance(exc.extra, list):
        for item in exc.extra:
            if isinstance(item, dict):
                errors.append(
                    FieldError(
                        message=str(item.get("message", "")),
                        key=str(item["key"]) if item.get("key") is not None else None,
                        source=str(item["source"]) if item.get("source") is not None else None,
                    )
                )
    return problem_response(
        request,
        400,
        # Litestar's detail names the call ("Validation failed for GET /api/v1/...").
        detail=exc.detail or "the request is not valid",
        errors=errors or None,
    )


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    detail = exc.detail if exc.detail and exc.detail != HTTPStatus(status).phrase else None
    if status == 404:
        log.info("not found", extra={"path": request.url.path})
    return problem_response(request, status, detail=detail, headers=exc.headers)


def _rpc_failure(request: Request[Any, Any, Any], exc: RpcFailure) -> Response[Any]:
    return _problem_exception(request, from_rpc_failure(exc))


def _rpc_timeout(request: Request[Any, Any, Any], exc: RpcTimeout) -> Response[Any]:
    log.warning("domain service unavailable", extra={"reason": str(exc)})
    return _problem_exception(request, from_rpc_timeout(exc))


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.error("unhandled error", exc_info=exc, extra={"path": request.url.path})
    return problem_response(request, 500, detail="something went wrong; the log has the details")


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    ProblemException: _problem_exception,
    ValidationException: _validation,
    HTTPException: _http,
    RpcFailure: _rpc_failure,
    RpcTimeout: _rpc_timeout,
    Exception: _unexpected,
}


def problem_spec(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        description=description,
        media_type=MEDIA_TYPE,
        generate_examples=False,
    )


#: What any API route may answer besides its success, for the OpenAPI document.
API_ERRORS: dict[int, ResponseSpec] = {
    400: problem_spec("The request is not valid"),
    401: problem_spec("Not signed in, or the token is not valid"),
    403: problem_spec("The caller's role may not do this"),
    404: problem_spec("Not found (or not visible to the caller)"),
    409: problem_spec("Conflicts with the current state"),
    422: problem_spec("Refused by the domain's rules"),
    429: problem_spec("Too many requests"),
    500: problem_spec("Unexpected error"),
    502: problem_spec("A domain service failed"),
    503: problem_spec("A domain service is not running"),
    504: problem_spec("A domain service did not answer in time"),
}
