"""Charges reconciled with Mews, through the real vendors service, mews-publisher and sync's
reconciliation against the Mews simulator: a charge cancelled or rebated by Mews's staff
changes state here within one pass, the report lists exactly the mismatches planted in
Mews, and a vendor downloads its own settlement as CSV (another property's is not found)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import nats
from nats.js import JetStreamContext
from test_cancel_through_the_stack import (  # the same stack and hotel
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    _eventually,
    _hotel,
    _sign_in,
    stack,
)

from attendandt.contracts.streams import MEWS_RATE_LIMITS, SYNC_HEALTH
from attendandt.mews import Credentials, MewsClient
from attendandt.mews.models.common import AmountParameters
from attendandt.mews.models.orders import OrderItemParameters, OrdersAdd
from attendandt.platform.ratelimit import SharedTokenBucket
from attendandt.sync.charges_reconcile import ChargesReconciler, store_report

__all__ = ["stack"]  # the fixture, imported for this module's tests


async def _user(
    client: httpx.AsyncClient, admin: dict[str, str], email: str, **fields: str
) -> dict[str, str]:
    invited = await client.post(
        "/api/v1/users", json={"email": email, "name": email.split("@", maxsplit=1)[0], **fields},
        headers=admin,
    )  # fmt: skip
    assert invited.status_code == 201, invited.text
    password = "a long enough password for tests"
    done = await client.post(
        "/api/v1/auth/set-password",
        json={"token": invited.json()["set_password_token"], "new_password": password},
    )
    assert done.status_code == 204, done.text
    return await _sign_in(client, email, password)


async def test_charges_changed_in_mews_are_reconciled_reported_and_settled(
    stack: Any, jetstream: JetStreamContext, mews_sim: Any, nats_url: str
) -> None:
    started = datetime.now(UTC) - timedelta(seconds=5)
    client = stack.client
    admin = await _sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    enterprise_id, spa_id, reservation = await _hotel(jetstream, mews_sim)
    made_vendor = await client.post(
        "/api/v1/vendors",
        json={"enterprise_id": enterprise_id, "name": "Lagoon Spa", "category": "spa"},
        headers=admin,
    )
    assert made_vendor.status_code == 201, made_vendor.text
    vendor_id = made_vendor.json()["vendor_id"]

    async def offering() -> Any:
        made = await client.post(
            f"/api/v1/vendors/{vendor_id}/offerings",
            json={"name": "Massage, 60 min", "unit_price": "80", "mews_service_id": spa_id},
            headers=admin,
        )
        return made.json() if made.status_code == 201 else None

    offering_id = (await _eventually(offering, "the catalogue"))["offering_id"]
    manager = await _user(
        client, admin, "max@hotel.example", role="manager", enterprise_id=enterprise_id
    )

    async def charge(quantity: int) -> str:
        async def made() -> Any:
            answer = await client.post(
                "/api/v1/charges",
                json={"offering_id": offering_id, "guest_id": "g-1", "stay_id": "s-1",
                      "quantity": quantity},
                headers=manager,
            )  # fmt: skip
            return answer.json() if answer.status_code == 201 else None

        return str((await _eventually(made, "the stay"))["charge_id"])

    names = ("kept", "cancelled", "rebated", "part_rebated", "repriced")
    charges = {name: await charge(2 if name == "repriced" else 1) for name in names}

    async def get(charge_id: str) -> dict[str, Any]:
        answer = await client.get(f"/api/v1/charges/{charge_id}", headers=manager)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    async def in_state(charge_id: str, state: str) -> dict[str, Any]:
        async def check() -> Any:
            got = await get(charge_id)
            return got if got["state"] == state else None

        return dict(await _eventually(check, f"charge {charge_id} {state}"))

    posted = {name: await in_state(cid, "posted") for name, cid in charges.items()}
    items = {i["ServiceOrderId"]: i for i in mews_sim.control.order_items(enterprise_id)}
    item = {name: items[c["mews_order_id"]] for name, c in posted.items()}

    # Mews's staff change things in Mews; and an item carries a reference we never made.
    control = mews_sim.control
    control.cancel_order_item(item["cancelled"]["Id"])
    control.rebate_order_item(item["rebated"]["Id"])
    control.rebate_order_item(item["part_rebated"]["Id"], gross_value=20)
    control.change_order_item(item["repriced"]["Id"], unit_gross_value=90)
    token = mews_sim.gross.token
    limits = await jetstream.key_value(MEWS_RATE_LIMITS.bucket)
    mews = MewsClient(
        Credentials(token.client_token, token.access_token, label="gross"),
        environment=mews_sim.base_url,
        limiter=SharedTokenBucket.for_access_token(limits, token.access_token),
    )
    stranger = f"attendandt:charge:{uuid.uuid4()}"
    await mews.add_order(
        OrdersAdd(
            service_id=spa_id,
            account_id=reservation["AccountId"],
            items=[
                OrderItemParameters(
                    name="Massage",
                    unit_count=1,
                    unit_amount=AmountParameters(currency=mews_sim.gross.currency,
                                                 gross_value=Decimal(80)),
                    external_identifier=stranger,
                )
            ],
        )
    )  # fmt: skip

    nc = await nats.connect(nats_url)
    try:
        reconciler = ChargesReconciler(mews, enterprise_id, jetstream, nc)
        until = datetime.now(UTC) + timedelta(minutes=1)
        first = await reconciler.run(started, until)
        # One pass: what Mews's staff did shows here.
        cancelled = await in_state(charges["cancelled"], "cancelled")
        assert cancelled["cancel_method"] == "cancelled_in_mews"
        rebated = await in_state(charges["rebated"], "cancelled")
        assert rebated["cancel_method"] == "rebated_in_mews"
        assert first.commands_sent == len(names)  # the first reading of each

        async def part_rebated() -> Any:
            got = await get(charges["part_rebated"])
            return got if got["version"] > posted["part_rebated"]["version"] else None

        still = await _eventually(part_rebated, "the partial rebate recorded")
        assert still["state"] == "posted"
        assert (await get(charges["kept"]))["state"] == "posted"

        planted = {
            ("cancelled_in_mews", charges["cancelled"]),
            ("rebated_in_mews", charges["rebated"]),
            ("rebated_in_mews", charges["part_rebated"]),
            ("amount_differs", charges["repriced"]),
            ("unknown_in_ledger", None),
        }
        assert {(m.kind, m.charge_id) for m in first.mismatches} == planted
        [unknown] = [m for m in first.mismatches if m.kind == "unknown_in_ledger"]
        assert stranger in (unknown.mews or "")
        [repriced] = [m for m in first.mismatches if m.kind == "amount_differs"]
        assert (repriced.our_amount, repriced.mews_amount) == (Decimal("160"), Decimal("180"))

        # A second pass finds the same (the report does not depend on what the first
        # changed here) and sends nothing again.
        second = await reconciler.run(started, until)
        assert {(m.kind, m.charge_id) for m in second.mismatches} == planted
        assert second.commands_sent == 0
        assert second.mews_calls >= 1

        report = second.report("on_demand")
        await store_report(await jetstream.key_value(SYNC_HEALTH.bucket), report)
    finally:
        await nc.close()
        await mews.aclose()

    # The Sync page shows the property's last report.
    status = await client.get(f"/api/v1/sync/{enterprise_id}", headers=manager)
    assert status.status_code == 200, status.text
    shown = status.json()["charges_report"]
    assert shown["mismatches_total"] == len(planted)
    assert shown["by_kind"] == {
        "cancelled_in_mews": 1, "rebated_in_mews": 2, "amount_differs": 1,
        "unknown_in_ledger": 1,
    }  # fmt: skip

    # Settlement: the vendor's own, as CSV; another property's manager is told not found.
    spa = await _user(
        client, admin, "desk@spa.example", role="vendor", enterprise_id=enterprise_id,
        vendor_id=vendor_id,
    )  # fmt: skip
    period = {"from": started.isoformat(), "to": until.isoformat()}
    as_json = await client.get(
        f"/api/v1/vendors/{vendor_id}/settlement", params=period, headers=spa
    )
    assert as_json.status_code == 200, as_json.text
    lines = {line["charge_id"]: line for line in as_json.json()["lines"]}
    assert set(lines) == set(charges.values())
    assert lines[charges["cancelled"]]["state"] == "cancelled"
    assert lines[charges["kept"]]["bill_paid"] is False
    assert lines[charges["kept"]]["mews_order_id"] == posted["kept"]["mews_order_id"]
    as_csv = await client.get(
        f"/api/v1/vendors/{vendor_id}/settlement",
        params=period,
        headers={**spa, "Accept": "text/csv"},
    )
    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.headers["content-type"].startswith("text/csv")
    disposition = as_csv.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    assert ".csv" in disposition
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert {r["charge_id"] for r in rows} == set(charges.values())
    repriced_row = next(r for r in rows if r["charge_id"] == charges["repriced"])
    assert (repriced_row["service"], repriced_row["quantity"], repriced_row["total"]) == (
        "Massage, 60 min", "2", str(Decimal(posted["repriced"]["amount"])),
    )  # fmt: skip
    assert repriced_row["state"] == "posted"
    assert repriced_row["bill_paid"] == "no"

    elsewhere = await _user(
        client, admin, "eve@other.example", role="manager", enterprise_id=mews_sim.net.id
    )
    other = await client.get(
        f"/api/v1/vendors/{vendor_id}/settlement", params=period, headers=elsewhere
    )
    assert other.status_code == 404, other.text
    rival = await client.post(
        "/api/v1/vendors",
        json={"enterprise_id": enterprise_id, "name": "Tours", "category": "tours"},
        headers=admin,
    )
    assert rival.status_code == 201, rival.text
    not_its_own = await client.get(
        f"/api/v1/vendors/{rival.json()['vendor_id']}/settlement", params=period, headers=spa
    )
    assert not_its_own.status_code == 404, not_its_own.text
