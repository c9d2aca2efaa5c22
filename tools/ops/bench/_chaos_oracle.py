"""The chaos bench's bookkeeping, with no I/O: which changes to make in the simulator, what
each must leave in our system, and the figures from what was found there.

A change is made to an entity no other change of the run touches, so its effect is the
entity's final state: a customer's email set to a marker unique to the change; a
reservation's state and dates as the simulator holds them at the end (checked in, checked
out, cancelled, moved, or newly made).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

K = TypeVar("K", bound=Hashable)

#: What a change does. `create` makes a new reservation; the others change an existing one
#: (or a customer).
KINDS = ("customer", "check_in", "check_out", "cancel", "dates", "create")
#: The share of the run's changes each kind aims for; a kind short of entities leaves its
#: part to customers and date changes, which the seed has thousands of.
SHARES = {
    "customer": 0.40,
    "check_in": 0.06,
    "check_out": 0.06,
    "cancel": 0.13,
    "dates": 0.23,
    "create": 0.12,
}
#: Mews reservation states as the guests service stores them.
STAY_STATES = {
    "Inquired": "inquired",
    "Optional": "optional",
    "Requested": "requested",
    "Confirmed": "confirmed",
    "Started": "started",
    "Processed": "processed",
    "Canceled": "canceled",
}


@dataclass(frozen=True)
class Target:
    """An entity a change may be made to: a customer or a reservation of `enterprise_id`
    (for `create`, the reservation's future owner)."""

    kind: str
    enterprise_id: str
    mews_id: str
    #: The reservation's scheduled end (`dates` moves it a day later).
    end_utc: str | None = None


@dataclass
class Change:
    target: Target
    #: The customer's new email; the new reservation's id once made.
    marker: str | None = None
    made_at: float | None = None

    @property
    def kind(self) -> str:
        return self.target.kind

    @property
    def enterprise_id(self) -> str:
        return self.target.enterprise_id

    @property
    def entity_id(self) -> str:
        """The customer or reservation whose final state shows the change."""
        if self.kind == "create":
            assert self.marker is not None, "a reservation not made yet has no id"
            return self.marker
        return self.target.mews_id


@dataclass
class Pools:
    """Entities each kind of change may take, none in two pools."""

    by_kind: dict[str, list[Target]] = field(default_factory=lambda: {k: [] for k in KINDS})

    def add(self, target: Target) -> None:
        self.by_kind[target.kind].append(target)


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def reservation_pools(
    reservations: Iterable[Mapping[str, Any]],
    enterprise_id: str,
    now: datetime,
    *,
    exclude: set[str],
    rng: random.Random,
) -> list[Target]:
    """Reservation targets of one hotel: check-ins among the confirmed ones already due,
    check-outs among those in house, cancellations and date moves (half each, at random)
    among the confirmed ones due from tomorrow on. `exclude`: reservations kept for charges."""
    targets: list[Target] = []
    for r in reservations:
        if r["Id"] in exclude:
            continue
        start = _instant(r.get("ScheduledStartUtc"))
        if r["State"] == "Started":
            targets.append(Target("check_out", enterprise_id, r["Id"]))
        elif r["State"] == "Confirmed" and start is not None:
            if start <= now:
                targets.append(Target("check_in", enterprise_id, r["Id"]))
            elif (start - now).total_seconds() > 86400:
                kind = "cancel" if rng.random() < 0.5 else "dates"
                targets.append(Target(kind, enterprise_id, r["Id"], r.get("ScheduledEndUtc")))
    return targets


def plan(total: int, pools: Pools, rng: random.Random) -> tuple[list[Change], Pools]:
    """`total` changes in random order, by `SHARES` as far as the pools go; returns them and
    what is left of the pools (spares for a change the simulator refuses)."""
    left = Pools({kind: rng.sample(items, len(items)) for kind, items in pools.by_kind.items()})
    wanted = {kind: int(total * share) for kind, share in SHARES.items()}
    wanted["customer"] += total - sum(wanted.values())
    chosen: list[Target] = []
    short = 0
    for kind in KINDS:
        take = min(wanted[kind], len(left.by_kind[kind]))
        short += wanted[kind] - take
        chosen += left.by_kind[kind][:take]
        left.by_kind[kind] = left.by_kind[kind][take:]
    for kind in ("customer", "dates", "cancel", "create"):
        take = min(short, len(left.by_kind[kind]))
        chosen += left.by_kind[kind][:take]
        left.by_kind[kind] = left.by_kind[kind][take:]
        short -= take
    if short:
        raise ValueError(f"the simulator's hotels hold {short} entities too few for {total}")
    rng.shuffle(chosen)
    return [Change(t) for t in chosen], left


def spare(left: Pools, kind: str) -> Target | None:
    """Another target for a refused change: of the same kind, else any customer."""
    for candidate in (kind, "customer", "dates"):
        if left.by_kind[candidate]:
            return left.by_kind[candidate].pop()
    return None


# --------------------------------------------------------------------------- the oracle


@dataclass(frozen=True)
class StayRow:
    """A reservation's state and times, as the simulator has them or as guests stored them."""

    state: str
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    actual_start: datetime | None
    actual_end: datetime | None
    cancelled: datetime | None


def expected_stay(reservation: Mapping[str, Any]) -> StayRow:
    """What the guests service must hold for a reservation the simulator lists."""
    return StayRow(
        state=STAY_STATES.get(reservation["State"], "unknown"),
        scheduled_start=_instant(reservation.get("ScheduledStartUtc")),
        scheduled_end=_instant(reservation.get("ScheduledEndUtc")),
        actual_start=_instant(reservation.get("ActualStartUtc")),
        actual_end=_instant(reservation.get("ActualEndUtc")),
        cancelled=_instant(reservation.get("CancelledUtc")),
    )


def not_visible(
    changes: Sequence[Change],
    emails: Mapping[str, Sequence[str | None]],
    stays: Mapping[tuple[str, str], StayRow],
    reservations: Mapping[str, Mapping[str, Any]],
) -> list[Change]:
    """The changes whose effect our system does not show.

    `emails`: customer id → the email of every guest row with that Mews id (one per hotel
    that knows the customer); `stays`: (enterprise, reservation id) → the stay guests holds;
    `reservations`: reservation id → the simulator's reservation now. A customer change is
    visible when the customer has a guest row and every one shows its marker; a reservation
    change when its stay equals the simulator's reservation."""
    missing: list[Change] = []
    for change in changes:
        if change.kind == "customer":
            found = emails.get(change.entity_id, ())
            if not found or any(email != change.marker for email in found):
                missing.append(change)
            continue
        reservation = reservations.get(change.entity_id)
        stored = stays.get((change.enterprise_id, change.entity_id))
        if reservation is None or stored != expected_stay(reservation):
            missing.append(change)
    return missing


def repeated(keys: Iterable[K]) -> dict[K, int]:
    """The keys seen more than once, with how often."""
    return {key: n for key, n in Counter(keys).items() if n > 1}


@dataclass(frozen=True)
class ChargeFigures:
    #: Charge requests with their charge on the guest's bill in Mews.
    posted: int
    #: Charges on a bill more than once (in two or more Mews orders).
    posted_twice: int
    #: Charge requests with nothing on the bill.
    missing: int


def charge_figures(
    references: Mapping[str, Sequence[str]], order_items: Iterable[Mapping[str, Any]]
) -> ChargeFigures:
    """`references`: each charge request's marker → the references of the charges our system
    made for it (one, unless a request was taken twice: a duplicate counted apart);
    `order_items`: the simulator's. A charge is posted once per Mews order holding an item
    with its reference."""
    orders: dict[str, set[str]] = {}
    for item in order_items:
        reference = item.get("ExternalIdentifier")
        if reference:
            orders.setdefault(reference, set()).add(str(item.get("ServiceOrderId")))
    posted = sum(any(orders.get(ref) for ref in refs) for refs in references.values())
    twice = sum(
        len(orders.get(ref, ())) > 1 for ref in {r for refs in references.values() for r in refs}
    )
    return ChargeFigures(posted=posted, posted_twice=twice, missing=len(references) - posted)
