"""charges-reconcile: Mews calls and seconds per 1,000 posted charges reconciled, under the
simulator's real rate limit (200 requests / 30 s), every call through the shared token
bucket in NATS KV.

The simulator holds CHARGES posted orders (made with its limit lifted, beforehand); the
ledger is answered on vendors' subject by a stand-in that serves the same charges (the pass
is sync's: vendors' side is one indexed query per 1,000). Mews calls are counted by the
simulator (every `orderItems/getAll` page of the pass).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import nats
from nats.aio.msg import Msg

from attendandt.contracts.base import decode, encode
from attendandt.contracts.reconciliation import CHARGE_REFERENCE_PREFIX
from attendandt.contracts.rpc.vendors import (
    POSTED_CHARGES,
    LedgerCharge,
    PostedCharges,
    PostedChargesRequest,
)
from attendandt.contracts.snapshots import ChargeState
from attendandt.contracts.streams import MEWS_RATE_LIMITS, ensure_streams
from attendandt.mews import Credentials, MewsClient
from attendandt.mews_sim.runner import start_simulator
from attendandt.platform.ratelimit import SharedTokenBucket
from attendandt.sync.charges_reconcile import ChargesReconciler
from attendandt.testing.bench import report
from attendandt.testing.servers import start_nats

BENCH = "charges-reconcile"
CHARGES = 2000


def _post_orders(sim: object, service_id: str, account_id: str) -> list[tuple[str, str]]:
    """CHARGES orders of one item each: (reference, order id)."""
    token = sim.gross.token  # type: ignore[attr-defined]
    made: list[tuple[str, str]] = []
    with httpx.Client(timeout=30) as http:
        for _ in range(CHARGES):
            reference = f"{CHARGE_REFERENCE_PREFIX}{uuid.uuid4()}"
            answer = http.post(
                sim.api_url("orders/add"),  # type: ignore[attr-defined]
                json={**token.body(), "ServiceId": service_id, "AccountId": account_id,
                      "Items": [{"Name": "Massage", "UnitCount": 1,
                                 "UnitAmount": {"Currency": sim.gross.currency,  # type: ignore[attr-defined]
                                                "GrossValue": 80, "TaxCodes": ["UK-S"]},
                                 "ExternalIdentifier": reference}]},
            )  # fmt: skip
            answer.raise_for_status()
            made.append((reference, answer.json()["OrderId"]))
    return made


def _spa_and_guest(sim: object) -> tuple[str, str]:
    token = sim.gross.token  # type: ignore[attr-defined]
    with httpx.Client(timeout=30) as http:
        services = http.post(
            sim.api_url("services/getAll"),  # type: ignore[attr-defined]
            json={**token.body(), "Limitation": {"Count": 100}},
        ).json()["Services"]
    spa = next(s["Id"] for s in services if s["Names"].get("en-US") == "Spa")
    reservation = next(
        r
        for r in sim.control.reservations(sim.gross.id)  # type: ignore[attr-defined]
        if r.get("AccountId")
    )
    return spa, reservation["AccountId"]


async def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-charges-"))
    os.chmod(workdir, 0o755)  # noqa: PTH101 - servers run as their own users
    nats_server = start_nats(workdir / "nats")
    sim = start_simulator(seed="small")
    nc = await nats.connect(nats_server.url)
    mews: MewsClient | None = None
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        sim.control.rate_limit(enabled=False)
        spa, account = await asyncio.to_thread(_spa_and_guest, sim)
        orders = await asyncio.to_thread(_post_orders, sim, spa, account)
        sim.control.rate_limit(enabled=True)  # the real limit for the measured pass
        posted_at = datetime.now(UTC)
        ledger = [
            LedgerCharge(
                charge_id=reference.removeprefix(CHARGE_REFERENCE_PREFIX),
                vendor_id="v-bench",
                reference=reference,
                mews_order_id=order_id,
                mews_service_id=spa,
                quantity=1,
                unit_amount=Decimal(80),
                amount=Decimal(80),
                currency=sim.gross.currency,
                amount_is_gross=True,
                state=ChargeState.POSTED,
                posted_at=posted_at,
            )
            for reference, order_id in sorted(orders)
        ]

        async def answer(msg: Msg) -> None:
            request = decode(msg.data, PostedChargesRequest)
            start = 0
            if request.after is not None:
                start = next(i for i, c in enumerate(ledger) if c.charge_id == request.after) + 1
            page = tuple(ledger[start : start + request.limit])
            await msg.respond(
                encode(
                    PostedCharges(
                        items=page,
                        next_after=page[-1].charge_id if len(page) == request.limit else None,
                        service_ids=(),
                    )
                )
            )

        await nc.subscribe(POSTED_CHARGES.subject, cb=answer)
        limits = await js.key_value(MEWS_RATE_LIMITS.bucket)
        token = sim.gross.token
        mews = MewsClient(
            Credentials(token.client_token, token.access_token, label="gross"),
            environment=sim.base_url,
            limiter=SharedTokenBucket.for_access_token(limits, token.access_token),
        )
        sim.control.reset_counters()
        started = time.perf_counter()
        result = await ChargesReconciler(mews, sim.gross.id, js, nc).run(
            posted_at - timedelta(days=1), posted_at + timedelta(minutes=5)
        )
        seconds = time.perf_counter() - started
        calls = sim.control.counters()["requests_by_path"].get("orderItems/getAll", 0)
    finally:
        if mews is not None:
            await mews.aclose()
        await nc.close()
        sim.stop()
        nats_server.stop()
    per_thousand = 1000 / CHARGES
    assert result.charges_checked == CHARGES, result.charges_checked
    assert not result.mismatches, result.mismatches[:3]
    report(BENCH, "mews_calls_per_1000_charges", calls * per_thousand, "calls")
    report(BENCH, "seconds_per_1000_charges", seconds * per_thousand, "s")
    report(BENCH, "charges", CHARGES, "charges")
    report(BENCH, "mews_items_read", result.items_read, "items")
