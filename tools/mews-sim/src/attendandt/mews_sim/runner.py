"""Start the simulator as a child process and get a handle on it.

Used by the pytest plugin, by benchmarks and by `make run`:

    with start_simulator(seed="default") as sim:
        print(sim.base_url, sim.enterprises[0].tokens[0].access_token)
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from types import TracebackType
from typing import IO, Any

from attendandt.mews_sim.control_client import SimControl
from attendandt.testing.processes import (  # type: ignore[import-untyped,unused-ignore]
    free_port,
    python_module,
    spawn,
    stop,
    wait_for_port,
)


@dataclass(frozen=True)
class SimToken:
    label: str
    name: str
    client_token: str
    access_token: str

    def body(self, client: str = "Attendandt tests 1.0.0") -> dict[str, str]:
        """The three authentication fields every Connector request carries."""
        return {
            "ClientToken": self.client_token,
            "AccessToken": self.access_token,
            "Client": client,
        }

    def cookie(self) -> str:
        """The WebSocket `Cookie` header value (no spaces around `=`)."""
        return f"ClientToken={self.client_token}; AccessToken={self.access_token}"


@dataclass(frozen=True)
class SimEnterprise:
    id: str
    name: str
    chain_id: str
    pricing: str
    currency: str
    integration_id: str
    tokens: tuple[SimToken, ...]
    time_zone: str = "UTC"
    short_name: str | None = None

    @property
    def token(self) -> SimToken:
        return self.tokens[0]


@dataclass
class MewsSim:
    base_url: str
    ws_url: str
    control: SimControl
    enterprises: list[SimEnterprise] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None

    @property
    def gross(self) -> SimEnterprise:
        return self.enterprises[0]

    @property
    def net(self) -> SimEnterprise:
        return self.enterprises[1]

    def api_url(self, operation: str) -> str:
        return f"{self.base_url}/api/connector/v1/{operation}"

    def refresh(self, info: dict[str, Any] | None = None) -> None:
        data = info or self.control.info()
        self.enterprises = [
            SimEnterprise(
                id=e["id"],
                name=e["name"],
                chain_id=e["chain_id"],
                pricing=e["pricing"],
                currency=e["currency"],
                integration_id=e["integration_id"],
                tokens=tuple(
                    SimToken(t["label"], t["name"], t["client_token"], t["access_token"])
                    for t in e["tokens"]
                ),
                time_zone=e["time_zone"],
                short_name=e.get("short_name"),
            )
            for e in data["enterprises"]
        ]

    def reset(
        self, seed: str | None = None, *, now_utc: str | None = None, frozen: bool = False
    ) -> None:
        """Fresh data; with `now_utc` the simulator's clock is set there first."""
        self.refresh(self.control.reset(seed, now_utc=now_utc, frozen=frozen))

    def stop(self) -> None:
        self.control.close()
        if self.process is not None:
            stop(self.process)
            self.process = None

    def __enter__(self) -> MewsSim:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_simulator(
    *,
    seed: str = "small",
    host: str = "127.0.0.1",
    port: int | None = None,
    extra_args: list[str] | None = None,
    output: int | IO[bytes] | None = subprocess.DEVNULL,
    timeout: float = 30.0,
) -> MewsSim:
    """Start `python -m attendandt.mews_sim` on a free port; it dies with this process."""
    chosen = port or free_port(host)
    args = python_module(
        "attendandt.mews_sim",
        "--host",
        host,
        "--port",
        str(chosen),
        "--seed",
        seed,
        *(extra_args or []),
    )
    process = spawn(args, stdout=output, stderr=subprocess.STDOUT if output is not None else None)
    try:
        wait_for_port(host, chosen, timeout=timeout, proc=process)
    except BaseException:
        stop(process)
        raise
    base_url = f"http://{host}:{chosen}"
    sim = MewsSim(
        base_url=base_url,
        ws_url=f"ws://{host}:{chosen}/ws/connector",
        control=SimControl(base_url),
        process=process,
    )
    sim.refresh()
    return sim
