"""What to seed: the sizes, the random seed and the moment the hotels are built at."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time

from attendandt.mews_sim import clock


@dataclass(frozen=True)
class SeedConfig:
    """Totals over all enterprises (split evenly).

    `anchor` puts the simulator's clock at a chosen moment before the hotel is built: an ISO
    date-time, or a `YYYY-MM-DD` day (read as 12:00 UTC, daytime in London and New York).
    Without it the hotel is built around the clock as it is.
    """

    enterprises: int = 2
    rooms: int = 300
    customers: int = 5000
    reservations: int = 10000
    companies: int = 100
    random_seed: int = 42
    anchor: str | None = None
    doc_fixtures: bool = True
    extra_tokens: tuple[tuple[str, str, int], ...] = field(default=())

    def anchor_time(self) -> datetime | None:
        if not self.anchor:
            return None
        return parse_anchor(self.anchor)


def parse_anchor(value: str) -> datetime:
    """`YYYY-MM-DD` (12:00 UTC that day) or an ISO 8601 date-time. Raises ValueError."""
    if len(value.strip()) == 10:
        return datetime.combine(date.fromisoformat(value.strip()), time(12), tzinfo=UTC)
    return clock.parse(value).replace(microsecond=0)


# `small` has enough stays for an arrival and a departure on every day of its 271-day range
# in each hotel (the day-list backbone takes 278 stays per hotel).
PRESETS: dict[str, SeedConfig] = {
    "default": SeedConfig(),
    "small": SeedConfig(rooms=24, customers=200, reservations=700, companies=8),
    "tiny": SeedConfig(rooms=8, customers=10, reservations=12, companies=2),
    "large": SeedConfig(rooms=600, customers=50000, reservations=100000, companies=500),
}


def parse_seed(text: str, base: SeedConfig | None = None) -> SeedConfig:
    """`small`, `default`, or `key=value,...` over a preset (`small,customers=500`)."""
    config = base or PRESETS["default"]
    for part in (p.strip() for p in text.split(",") if p.strip()):
        if "=" not in part:
            if part not in PRESETS:
                raise ValueError(f"unknown seed preset {part!r}; known: {', '.join(PRESETS)}")
            config = replace(PRESETS[part], extra_tokens=config.extra_tokens)
            continue
        key, value = (s.strip() for s in part.split("=", 1))
        if key in ("enterprises", "rooms", "customers", "reservations", "companies", "random_seed"):
            config = replace(config, **{key: int(value)})  # type: ignore[arg-type]
        elif key == "anchor":
            parse_anchor(value)
            config = replace(config, anchor=value)
        elif key == "doc_fixtures":
            config = replace(config, doc_fixtures=value.lower() in ("1", "true", "yes"))
        else:
            raise ValueError(f"unknown seed setting {key!r}")
    if config.enterprises < 1:
        raise ValueError("at least one enterprise is needed")
    return config
