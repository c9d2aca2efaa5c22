"""Helpers for the tests that drive the whole stack over HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx


def wait_until(what: str, check: Callable[[], Any], timeout: float = 60) -> Any:
    """Poll `check` until it returns something truthy (HTTP errors count as not yet)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except httpx.HTTPError:
            result = None
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
