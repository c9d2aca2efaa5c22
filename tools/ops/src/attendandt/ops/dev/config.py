"""What `attendandt dev` runs with: ports, the data directory, what to start, how often a
child may be started again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: How many times a minute one child may exit and be started again before `attendandt dev`
#: gives up on it (and stops). A chaos run, which kills children on purpose, raises it.
RESTARTS_PER_MINUTE_ENV = "ATTENDANDT_DEV_RESTARTS_PER_MINUTE"
DEFAULT_RESTARTS_PER_MINUTE = 5


@dataclass
class DevConfig:
    devdata: Path
    nats_port: int
    postgres_port: int
    sim_port: int
    gateway_port: int
    with_sim: bool
    ingest_port: int = 8090
    only: list[str] = field(default_factory=list)
    #: Each service's health port is this plus its index (two stacks on one machine need
    #: two bases).
    health_port_base: int = 8100
    restarts_per_minute: int = DEFAULT_RESTARTS_PER_MINUTE
    #: The simulator's hotels: a preset (`default`, `small`...) or `preset,key=value,...`.
    sim_seed: str = "default"


def restarts_per_minute(env: Mapping[str, str]) -> int:
    raw = env.get(RESTARTS_PER_MINUTE_ENV, "").strip()
    if not raw:
        return DEFAULT_RESTARTS_PER_MINUTE
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise SystemExit(f"{RESTARTS_PER_MINUTE_ENV}={raw!r}: give a whole number of 1 or more")
    return value
