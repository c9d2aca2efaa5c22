"""A stay's bill, Mews → sync → guests → Postgres, every part real: a charge posted to the
simulator for a stay shows in that stay's bill (ours told from others by ExternalIdentifier)
when the stay changes; a payment taken at the desk shows when its `PaymentUpdated` arrives,
and the balance moves; the periodic pass over the stays in house finds a charge no event
announced."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest
from nats.js import JetStreamContext
from sync_support import announce, wait_for
from test_end_to_end import _env, _guests_database

from attendandt.contracts.mews import MewsEntity
from attendandt.contracts.streams import ensure_streams
from attendandt.mews import Credentials, MewsClient
from attendandt.sync.bills import StayBillReader
from attendandt.sync.optional_reads import OptionalReads
from attendandt.testing.processes import spawn, stop

pytestmark = pytest.mark.slow


def _post(mews_sim: Any, stay: dict[str, Any], name: str, gross: int, reference: str | None):
    """An item on the stay's owner's bill, linked to the stay, as a poster does it."""
    services = httpx.post(
        mews_sim.api_url("services/getAll"),
        json={**mews_sim.gross.token.body(), "Limitation": {"Count": 100}},
    ).json()["Services"]
    service = next(s for s in services if s["Data"]["Discriminator"] == "Additional")
    item: dict[str, Any] = {
        "Name": name,
        "UnitCount": 2,
        "UnitAmount": {"Currency": "GBP", "GrossValue": gross, "TaxCodes": ["UK-S"]},
    }
    if reference:
        item["ExternalIdentifier"] = reference
    answer = httpx.post(
        mews_sim.api_url("orders/add"),
        json={
            **mews_sim.gross.token.body(),
            "ServiceId": service["Id"],
            "AccountId": stay["AccountId"],
            "LinkedReservationId": stay["Id"],
            "Items": [item],
        },
    )
    assert answer.status_code == 200, answer.text


async def _bill(admin: str, stay_mews_id: str) -> dict[str, Any] | None:
    conn = await asyncpg.connect(admin)
    try:
        raw = await conn.fetchval(
            "select bill from guests.stay_bills where stay_mews_id = $1", stay_mews_id
        )
    finally:
        await conn.close()
    if raw is None:
        return None
    return json.loads(raw) if isinstance(raw, str) else dict(raw)


async def test_charges_and_payments_show_in_the_stays_bill(
    mews_sim, nats_url: str, database_url: str, jetstream: JetStreamContext
) -> None:
    await ensure_streams(jetstream)
    mews_sim.reset("small")
    enterprise = mews_sim.gross.id
    stay = next(r for r in mews_sim.control.reservations(enterprise) if r["State"] == "Started")
    guests_url = await _guests_database(database_url)
    env = _env(mews_sim, nats_url, SYNC_BILLS_REFRESH_S="3600")
    guests = spawn(
        [sys.executable, "-m", "attendandt.guests", "serve"],
        env={**env, "DATABASE_URL": guests_url},
    )
    sync = spawn([sys.executable, "-m", "attendandt.sync", "serve"], env=env)
    try:
        _post(mews_sim, stay, "Massage 60 min", 80, "attendandt:charge:c-1")
        _post(mews_sim, stay, "Minibar", 6, None)
        await announce(jetstream, enterprise, MewsEntity.RESERVATION, [stay["Id"]])

        async def charged() -> dict[str, Any] | None:
            bill = await _bill(database_url, stay["Id"])
            names = {i["name"] for i in bill["items"]} if bill else set()
            return bill if {"Massage 60 min", "Minibar"} <= names else None

        bill = await wait_for(charged, timeout=60, what="the charges in the stay's bill")
        items = {i["name"]: i for i in bill["items"]}
        massage = items["Massage 60 min"]
        assert (massage["ours"], massage["charge_id"]) == (True, "c-1")
        assert Decimal(massage["quantity"]) == 2
        assert Decimal(massage["unit_amount"]) == 80
        assert Decimal(massage["total_amount"]) == 160
        assert massage["currency"] == "GBP"
        assert massage["state"] == "Open"
        assert items["Minibar"]["ours"] is False
        assert [b["state"] for b in bill["bills"]] == ["Open"]
        before = Decimal(bill["balance"])
        assert before >= Decimal(172)  # at least these two; the stay may carry others

        payment = mews_sim.control.add_payment(stay["Id"], 100)
        # As ingest turns a PaymentUpdated webhook into a change notification.
        await announce(jetstream, enterprise, MewsEntity.PAYMENT, [payment["Id"]])

        async def paid() -> dict[str, Any] | None:
            bill = await _bill(database_url, stay["Id"])
            ids = {p["mews_id"] for p in bill["payments"]} if bill else set()
            return bill if payment["Id"] in ids else None

        bill = await wait_for(paid, timeout=60, what="the payment in the stay's bill")
        received = next(p for p in bill["payments"] if p["mews_id"] == payment["Id"])
        assert (Decimal(received["amount"]), received["state"]) == (Decimal(100), "Charged")
        assert Decimal(bill["balance"]) == before - 100

        # No event for a charge made in Mews: the periodic pass over stays in house finds it.
        _post(mews_sim, stay, "Late checkout", 20, None)
        token = mews_sim.gross.token
        credentials = Credentials(client_token=token.client_token, access_token=token.access_token)
        async with MewsClient(credentials, environment=mews_sim.base_url) as client:
            reader = StayBillReader(client, enterprise, jetstream, OptionalReads())
            assert await reader.sweep() >= 1

        async def swept() -> dict[str, Any] | None:
            bill = await _bill(database_url, stay["Id"])
            return bill if bill and Decimal(bill["balance"]) == before - 100 + 40 else None

        await wait_for(swept, timeout=60, what="the periodic pass to bring the new charge")
    finally:
        stop(sync)
        stop(guests)
