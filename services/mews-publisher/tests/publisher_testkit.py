"""Helpers for the publisher tests: its role and schema, the running service, the simulator's
hotel, and reading back what reached Mews and what went to vendors."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import asyncpg
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from attendandt.contracts.base import decode
from attendandt.contracts.commands import (
    RECORD_CHARGE_CANCELLATION,
    RECORD_CHARGE_RESULT,
    RecordChargeCancellation,
    RecordChargeResult,
)
from attendandt.contracts.outbound import (
    CANCEL_CHARGE,
    POST_CHARGE,
    CancelCharge,
    ChargeLine,
    PostCharge,
)
from attendandt.mews import Credentials, MewsClient, TimeInterval, UnlimitedLimiter
from attendandt.mews.models.orders import OrderItem, OrderItemsGetAll
from attendandt.mews_publisher.app import PublisherApp
from attendandt.mews_publisher.migrations_set import MIGRATIONS
from attendandt.mews_publisher.settings import PublisherSettings, RateLimitSettings
from attendandt.platform.messaging import publish
from attendandt.platform.migrations import downgrade, upgrade
from attendandt.platform.provision import provision, role_url
from attendandt.platform.settings import DatabaseSettings, NatsSettings, ObservabilitySettings
from attendandt.testing.nats_accounts import nats_env
from attendandt.testing.polling import eventually

ROLE = "publisher"


async def migrate_as_publisher_role(database_url: str, *, down: bool = False) -> str:
    """Provision the publisher role and schema, migrate as that role; returns its URL.
    CREATE on the database is lent for the migration only (run_env creates the schema)."""
    await provision(database_url, schema="publisher", role=ROLE, password=None)
    admin = await asyncpg.connect(database_url)
    try:
        name = await admin.fetchval("select current_database()")
        await admin.execute(f'GRANT CREATE ON DATABASE "{name}" TO {ROLE}')
        url = role_url(database_url, ROLE)
        await (downgrade if down else upgrade)(url, MIGRATIONS.script_location, "publisher")
        await admin.execute(f'REVOKE CREATE ON DATABASE "{name}" FROM {ROLE}')
    finally:
        await admin.close()
    return url


def settings_for(
    nats_url: str, database_url: str, mews_sim: Any, **overrides: Any
) -> PublisherSettings:
    token = mews_sim.gross.token
    values: dict[str, Any] = {
        "nats": NatsSettings(url=nats_url),
        "database": DatabaseSettings(url=database_url, schema="publisher", pool_size=10),
        "observability": ObservabilitySettings(service="mews-publisher"),
        "mews_base_url": mews_sim.base_url,
        "credentials": (Credentials(token.client_token, token.access_token, label="gross"),),
        # The simulator's own limit stays the judge; ours is generous so tests run fast.
        "rate_limit": RateLimitSettings(requests=2000, per_s=2.0, burst=200),
        "mews_timeout_s": 1.5,
        "settle_s": 0.3,
        "unauthorized_pause_s": 2.0,
        "ack_wait_s": 5.0,
        "workers": 4,
        "health_port": 0,
    }
    values.update(overrides)
    return PublisherSettings(**values)


def process_env(nats_url: str, database_url: str, mews_sim: Any) -> dict[str, str]:
    """The same settings as environment variables, for `python -m ... serve`."""
    token = mews_sim.gross.token
    return {
        **nats_env(nats_url),
        "DATABASE_URL": database_url,
        "DATABASE_POOL_SIZE": "10",
        "MEWS_BASE_URL": mews_sim.base_url,
        "MEWS_CLIENT_TOKEN": token.client_token,
        "MEWS_ACCESS_TOKENS": token.access_token,
        "MEWS_RATE_LIMIT_REQUESTS": "2000",
        "MEWS_RATE_LIMIT_PER_S": "2",
        "MEWS_RATE_LIMIT_BURST": "200",
        "MEWS_TIMEOUT_S": "1.5",
        "SETTLE_S": "0.3",
        "ACK_WAIT_S": "5",
        "WORKERS": "4",
        "HEALTH_PORT": "0",
        "LOG_LEVEL": "WARNING",
    }


wait_for = partial(eventually, timeout=20.0)


@dataclass(frozen=True)
class Hotel:
    enterprise_id: str
    service_id: str
    accounts: tuple[str, ...]
    currency: str


async def hotel(mews_sim: Any, *, accounts: int = 3) -> Hotel:
    """The gross enterprise of the simulator: an Additional service and a few guests."""
    enterprise = mews_sim.gross
    async with sim_client(mews_sim) as mews:
        services = await mews.get_services().collect()
    service = next(s for s in services if (s.names or {}).get("en-US") == "Spa")
    ids = []
    for n in range(accounts):
        customer = await asyncio.to_thread(
            mews_sim.control.add_customer,
            LastName=f"Guest {n}",
            FirstName="Test",
            enterprise_id=enterprise.id,
        )
        ids.append(customer["Id"])
    return Hotel(enterprise.id, service.id, tuple(ids), enterprise.currency)


def sim_client(mews_sim: Any) -> MewsClient:
    token = mews_sim.gross.token
    return MewsClient(
        Credentials(token.client_token, token.access_token),
        environment=mews_sim.base_url,
        limiter=UnlimitedLimiter(),
    )


def charge(
    h: Hotel,
    n: int,
    *,
    charge_id: str | None = None,
    account_id: str | None = None,
    attempt: int = 1,
    amount: str = "12.50",
) -> PostCharge:
    charge_id = charge_id or str(uuid.uuid4())
    return PostCharge(
        command_id=f"post_charge:{charge_id}:{attempt}",
        enterprise_id=h.enterprise_id,
        charge_id=charge_id,
        reference=f"attendandt:charge:{charge_id}",
        account_id=account_id or h.accounts[n % len(h.accounts)],
        service_id=h.service_id,
        lines=(
            ChargeLine(
                name=f"Massage {n}",
                unit_count=1,
                unit_amount=Decimal(amount),
                currency=h.currency,
            ),
        ),
        requested_at=datetime.now(UTC),
    )


async def send(js: JetStreamContext, command: PostCharge | CancelCharge) -> None:
    if isinstance(command, PostCharge):
        await publish(
            js, POST_CHARGE, command, msg_id=command.command_id, enterprise=command.enterprise_id
        )
    else:
        await publish(
            js, CANCEL_CHARGE, command, msg_id=command.command_id, enterprise=command.enterprise_id
        )


def cancel_of(posted: PostCharge, mews_order_id: str | None, *, attempt: int = 1) -> CancelCharge:
    """What vendors sends to take `posted` back (its order as the posting reported it)."""
    return CancelCharge(
        command_id=f"cancel_charge:{posted.charge_id}:{attempt}",
        enterprise_id=posted.enterprise_id,
        charge_id=posted.charge_id,
        reference=posted.reference,
        account_id=posted.account_id,
        service_id=posted.service_id,
        mews_order_id=mews_order_id,
        linked_reservation_id=posted.linked_reservation_id,
        requested_at=datetime.now(UTC),
    )


async def results(js: JetStreamContext) -> list[RecordChargeResult]:
    """Every RecordChargeResult stored in DOMAIN_COMMANDS (nobody consumes them here)."""
    try:
        info = await js.stream_info("DOMAIN_COMMANDS")
    except NotFoundError:
        return []
    found = []
    if not info.state.messages:
        return found
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            msg = await js.get_msg("DOMAIN_COMMANDS", seq)
        except NotFoundError:
            continue
        if msg.subject == RECORD_CHARGE_RESULT.format():
            found.append(decode(msg.data or b"", RecordChargeResult))
    return found


async def _stored(js: JetStreamContext, subject: str) -> list[bytes]:
    try:
        info = await js.stream_info("DOMAIN_COMMANDS")
    except NotFoundError:
        return []
    found: list[bytes] = []
    if not info.state.messages:
        return found
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            msg = await js.get_msg("DOMAIN_COMMANDS", seq)
        except NotFoundError:
            continue
        if msg.subject == subject:
            found.append(msg.data or b"")
    return found


async def cancellations(js: JetStreamContext) -> list[RecordChargeCancellation]:
    """Every RecordChargeCancellation stored in DOMAIN_COMMANDS (nobody consumes them here)."""
    return [
        decode(data, RecordChargeCancellation)
        for data in await _stored(js, RECORD_CHARGE_CANCELLATION.format())
    ]


async def wait_cancellations(
    js: JetStreamContext, count: int, timeout: float = 30.0
) -> list[RecordChargeCancellation]:
    async def enough() -> bool:
        return len(await cancellations(js)) >= count

    await wait_for(enough, timeout=timeout, what=f"{count} cancellation results")
    return await cancellations(js)


async def result_count(js: JetStreamContext) -> int:
    try:
        return (await js.stream_info("DOMAIN_COMMANDS")).state.messages
    except NotFoundError:
        return 0


async def wait_results(js: JetStreamContext, count: int, timeout: float = 30.0) -> list[Any]:
    async def enough() -> bool:
        return await result_count(js) >= count

    await wait_for(enough, timeout=timeout, what=f"{count} charge results")
    return await results(js)


async def orders_in_mews(mews_sim: Any, h: Hotel) -> list[OrderItem]:
    """Order items in the simulator carrying one of our references."""
    now = datetime.now(UTC)
    request = OrderItemsGetAll(
        service_ids=[h.service_id],
        created_utc=TimeInterval(now - timedelta(hours=2), now + timedelta(hours=1)),
    )
    async with sim_client(mews_sim) as mews:
        items = await mews.get_order_items(request).collect()
    return [
        i
        for i in items
        if i.external_identifier and i.external_identifier.startswith("attendandt:charge:")
    ]


async def items_of(mews_sim: Any, *references: str) -> list[OrderItem]:
    """Every order item in the simulator whose ExternalIdentifier starts with a reference."""
    now = datetime.now(UTC)
    request = OrderItemsGetAll(
        created_utc=TimeInterval(now - timedelta(hours=2), now + timedelta(hours=1)),
    )
    async with sim_client(mews_sim) as mews:
        items = await mews.get_order_items(request).collect()
    return [
        i for i in items if any((i.external_identifier or "").startswith(r) for r in references)
    ]


async def cancel_ledger(url: str, reference: str | None = None) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "select * from publisher.charge_cancellations"
            + (" where reference = $1" if reference else "")
            + " order by reference, attempt",
            *([reference] if reference else []),
        )
    finally:
        await conn.close()
    return [dict(r) for r in rows]


async def ledger(url: str, reference: str | None = None) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "select * from publisher.charge_attempts"
            + (" where reference = $1" if reference else "")
            + " order by reference, attempt",
            *([reference] if reference else []),
        )
    finally:
        await conn.close()
    return [dict(r) for r in rows]


async def running(app: PublisherApp) -> tuple[asyncio.Task[None], asyncio.Event]:
    """Start the app and return once it serves (or raise what failed its start)."""
    stop = asyncio.Event()
    task = asyncio.create_task(app.run(stop))
    started = asyncio.create_task(app.started.wait())
    await asyncio.wait({task, started}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        started.cancel()
        task.result()
    return task, stop
