"""Shared helpers: a Connector API caller and a webhook receiver."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from attendandt.mews_sim.runner import MewsSim, SimToken

# Shared test helpers (mews_sim_channels) import by name, as in the services' test folders.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


Api = Callable[..., httpx.Response]


@pytest.fixture
def api(mews_sim: MewsSim, http: httpx.Client) -> Api:
    """`api("customers/getAll", {...}, token=...)`: POST with the token's auth fields."""

    def call(
        operation: str, body: dict[str, Any] | None = None, token: SimToken | None = None
    ) -> httpx.Response:
        auth = (token or mews_sim.gross.token).body()
        return http.post(mews_sim.api_url(operation), json={**auth, **(body or {})})

    return call


class WebhookReceiver:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.fail_remaining = 0
        self.lock = threading.Lock()
        self.event = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length))
                with receiver.lock:
                    failing = receiver.fail_remaining > 0
                    if failing:
                        receiver.fail_remaining -= 1
                    else:
                        receiver.bodies.append(body)
                        receiver.paths.append(self.path)
                        receiver.event.set()
                self.send_response(500 if failing else 202)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/mews/webhook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(
        self, predicate: Callable[[list[dict[str, Any]]], bool], timeout: float = 10
    ) -> list[dict[str, Any]]:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if predicate(self.bodies):
                    return list(self.bodies)
            time.sleep(0.02)
        with self.lock:
            raise AssertionError(f"webhook condition not met; got {self.bodies}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook_receiver(mews_sim: MewsSim) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    mews_sim.control.configure_webhooks(
        receiver.url,
        retry_delay_s=0.2,
        max_attempts=3,
        batch_delay_s=0.05,
        timeout_s=2.0,
        secret=None,
    )
    try:
        yield receiver
    finally:
        mews_sim.control.configure_webhooks(None)
        receiver.close()


@pytest.fixture
def portfolio(mews_sim: MewsSim) -> dict[str, Any]:
    """A connected portfolio of three small hotels (see `SimControl.connect_portfolio`)."""
    return mews_sim.control.connect_portfolio("Danube Portfolio (SIM)", rooms=5)
