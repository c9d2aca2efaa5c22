"""The in-memory hotel data, kept in the Mews wire shape.

Entities are stored as the very dicts the API answers with (PascalCase keys), so reads are a
filter plus one JSON encode. Each collection remembers insertion order: pages run newest
first and a cursor is a position in that order, which keeps paging stable while data changes.
What is not on the wire (which enterprise or chain an entity belongs to) lives next to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from attendandt.mews_sim.errors import BadRequest
from attendandt.mews_sim.params import Limitation

Entity = dict[str, Any]
ChangeKind = Literal["customer", "reservation", "resource", "company", "order", "payment"]


class Collection:
    def __init__(self) -> None:
        self.items: dict[str, Entity] = {}
        self.order: list[str] = []
        self.pos: dict[str, int] = {}
        self.owner: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self.order)

    def add(self, item: Entity, owner: str) -> Entity:
        item_id = item["Id"]
        self.items[item_id] = item
        self.pos[item_id] = len(self.order)
        self.order.append(item_id)
        self.owner[item_id] = owner
        return item

    def get(self, item_id: str | None, owners: Iterable[str] | None = None) -> Entity | None:
        if item_id is None:
            return None
        item = self.items.get(item_id.lower())
        if item is None:
            return None
        if owners is not None and self.owner[item["Id"]] not in owners:
            return None
        return item

    def of(self, owners: Iterable[str]) -> Iterator[Entity]:
        wanted = set(owners)
        for item_id in self.order:
            if self.owner[item_id] in wanted:
                yield self.items[item_id]

    def page(
        self,
        owners: Iterable[str],
        limitation: Limitation,
        match: Callable[[Entity], bool],
        ids: list[str] | None = None,
    ) -> tuple[list[Entity], str | None]:
        """One page, newest first, starting after the cursor; cursor = last id or None."""
        wanted = set(owners)
        start = len(self.order) - 1
        if limitation.cursor is not None:
            cursor_pos = self.pos.get(limitation.cursor)
            if cursor_pos is None:
                raise BadRequest("Invalid Limitation. Unknown Cursor.")
            start = cursor_pos - 1
        if ids is not None:
            positions: Iterable[int] = sorted(
                {self.pos[i] for i in ids if i in self.pos and self.pos[i] <= start},
                reverse=True,
            )
        else:
            positions = range(start, -1, -1)
        found: list[Entity] = []
        for position in positions:
            item_id = self.order[position]
            if self.owner[item_id] not in wanted:
                continue
            item = self.items[item_id]
            if match(item):
                found.append(item)
                if len(found) >= limitation.count:
                    break
        return found, (found[-1]["Id"] if found else None)


@dataclass
class TokenPair:
    """The credentials a partner application calls with: its ClientToken and the AccessToken
    of one integration (one enterprise, or a portfolio's own enterprise)."""

    label: str
    name: str
    client_token: str
    access_token: str
    enterprise_id: str
    integration_id: str
    # A rotated-out token works until this `time.monotonic()` reading (real time, not the
    # simulator clock, so a frozen clock cannot keep it alive); None: not rotated out.
    expires_at: float | None = None
    # A Portfolio Access Token's properties (its `enterprise_id` is then the portfolio's own,
    # dataless enterprise); empty for a single-enterprise token. On the wire both look alike.
    scope: tuple[str, ...] = ()

    @property
    def is_portfolio(self) -> bool:
        return bool(self.scope)

    @property
    def enterprise_ids(self) -> tuple[str, ...]:
        """The enterprises whose data the token opens."""
        return self.scope or (self.enterprise_id,)


IntegrationState = Literal["Enabled", "Disabled", "Canceled", "Deleted"]


@dataclass
class Integration:
    """A partner application's connection to one enterprise as the property manages it in
    Mews: its tokens are refused unless it is Enabled. `id` is the IntegrationId of the
    enterprise's General Webhooks."""

    id: str
    name: str
    enterprise_id: str
    created_utc: str
    state: IntegrationState = "Enabled"
    deleted_utc: str | None = None


@dataclass
class EnterpriseInfo:
    id: str
    chain_id: str
    name: str
    pricing: Literal["Gross", "Net"]
    currency: str
    default_tax_code: str
    time_zone: str
    integration_id: str
    # A portfolio's own enterprise: it holds no hotel data, only stands for the portfolio.
    is_portfolio: bool = False


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    enterprise_ids: tuple[str, ...]
    entity: Entity
    created: bool = False


@dataclass
class Store:
    enterprises: Collection = field(default_factory=Collection)
    customers: Collection = field(default_factory=Collection)
    companies: Collection = field(default_factory=Collection)
    services: Collection = field(default_factory=Collection)
    products: Collection = field(default_factory=Collection)
    accounting_categories: Collection = field(default_factory=Collection)
    resource_categories: Collection = field(default_factory=Collection)
    resource_category_assignments: Collection = field(default_factory=Collection)
    resources: Collection = field(default_factory=Collection)
    rates: Collection = field(default_factory=Collection)
    rate_groups: Collection = field(default_factory=Collection)
    reservations: Collection = field(default_factory=Collection)
    orders: Collection = field(default_factory=Collection)
    order_items: Collection = field(default_factory=Collection)
    bills: Collection = field(default_factory=Collection)
    payments: Collection = field(default_factory=Collection)
    companionships: Collection = field(default_factory=Collection)
    service_order_notes: Collection = field(default_factory=Collection)
    info: dict[str, EnterpriseInfo] = field(default_factory=dict)
    # access token -> its pair, rotated-out ones included (a refused call is still counted
    # for its enterprise); integration id -> integration
    tokens: dict[str, TokenPair] = field(default_factory=dict)
    integrations: dict[str, Integration] = field(default_factory=dict)
    # resource id -> resource category id, from its (active) category assignment
    room_category: dict[str, str] = field(default_factory=dict)
    # resource id -> the id of that assignment
    room_assignment: dict[str, str] = field(default_factory=dict)
    age_categories: dict[str, list[str]] = field(default_factory=dict)
    # A companionship has no UpdatedUtc on the wire, yet companionships/getAll filters by it.
    companionship_updated: dict[str, str] = field(default_factory=dict)
    # reservation id -> its companionship ids; service order id -> its note ids
    companions_of: dict[str, list[str]] = field(default_factory=dict)
    notes_of: dict[str, list[str]] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    listeners: list[Callable[[Change], None]] = field(default_factory=list)

    def next_number(self, kind: str, start: int = 1000) -> int:
        value = self.numbers.get(kind, start) + 1
        self.numbers[kind] = value
        return value

    def enterprises_of_chain(self, chain_id: str) -> tuple[str, ...]:
        """The chain's properties: a portfolio's own enterprise has no guests to hear about."""
        return tuple(
            e.id for e in self.info.values() if e.chain_id == chain_id and not e.is_portfolio
        )

    def notify(self, change: Change) -> None:
        for listener in list(self.listeners):
            listener(change)

    def add_token(self, token: TokenPair) -> None:
        self.tokens[token.access_token] = token

    def add_integration(self, integration: Integration) -> None:
        self.integrations[integration.id] = integration

    def replace_token(self, old: TokenPair, new: TokenPair) -> None:
        """`new` takes `old`'s place in the listing (so a handle's first token stays the
        first); `old` stays known, behind it, until it expires."""
        tokens: dict[str, TokenPair] = {}
        for access_token, token in self.tokens.items():
            if access_token == old.access_token:
                tokens[new.access_token] = new
            tokens[access_token] = token
        self.tokens = tokens

    def live_tokens(self, integration_id: str) -> list[TokenPair]:
        """The integration's tokens that were not rotated out, in listing order."""
        return [
            t
            for t in self.tokens.values()
            if t.integration_id == integration_id and t.expires_at is None
        ]

    def add_companionship(self, companionship: Entity, enterprise_id: str, updated: str) -> None:
        self.companionships.add(companionship, enterprise_id)
        self.companionship_updated[companionship["Id"]] = updated
        self.companions_of.setdefault(companionship["ReservationId"], []).append(
            companionship["Id"]
        )

    def companions(self, reservation_id: str) -> list[Entity]:
        return [self.companionships.items[i] for i in self.companions_of.get(reservation_id, ())]

    def assign_category(self, assignment: Entity, enterprise_id: str) -> None:
        """A room in a resource category (one category per room in the simulated hotels)."""
        self.resource_category_assignments.add(assignment, enterprise_id)
        self.room_category[assignment["ResourceId"]] = assignment["CategoryId"]
        self.room_assignment[assignment["ResourceId"]] = assignment["Id"]

    def add_note(self, note: Entity, enterprise_id: str) -> None:
        self.service_order_notes.add(note, enterprise_id)
        self.notes_of.setdefault(note["OrderId"], []).append(note["Id"])
