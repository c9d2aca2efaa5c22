"""Mews-style API errors: `{"Message": ..., "RequestId": ...}` with the matching status."""

from __future__ import annotations


class ApiError(Exception):
    """An error answered to the client; never a 500 unless a fault was injected."""

    status = 400

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class TooManyRequests(ApiError):
    status = 429


class InjectedFault(ApiError):
    """A server error the test asked for."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def invalid(name: str, reason: str = "") -> BadRequest:
    return BadRequest(f"Invalid {name}." + (f" {reason}" if reason else ""))
