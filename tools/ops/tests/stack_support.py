"""Helpers for the tests that drive the whole stack over HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from attendandt.mews import DemoTokens


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


def mews_call(sim: str, operation: str, **body: Any) -> Any:
    """A Connector API call to the simulator, as the gross demo hotel's integration."""
    credentials = {
        "ClientToken": DemoTokens.GROSS_1.client_token,
        "AccessToken": DemoTokens.GROSS_1.access_token,
        "Client": "Attendandt tests 1.0.0",
    }
    response = httpx.post(f"{sim}/api/connector/v1/{operation}", json={**credentials, **body})
    response.raise_for_status()
    return response.json()


def child_pid(parent: int, module: str) -> int:
    """The PID of the child of `parent` running `python -m <module>`."""
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
            cmdline = (status.parent / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(parent) and module.encode() in cmdline:
            return int(status.parent.name)
    raise AssertionError(f"no {module} process under {parent}")
