"""Charges reconciled without anyone asking, and on demand: the sync service's own periodic
pass (SyncApp with a short SYNC_CHARGES_INTERVAL_S) stores the property's report and then
sees a charge cancelled in Mews by Mews's staff, which becomes cancelled in vendors with no
command run; and `attendandt charges reconcile` as an operator runs it (its progress, the
report, and a clear word on a bad argument). Real vendors, mews-publisher and gateway
(`stack`), NATS, Postgres and the Mews simulator."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from nats.js import JetStreamContext
from test_cancel_through_the_stack import (  # the same stack and hotel
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    _eventually,
    _hotel,
    _sign_in,
    stack,
)
from test_charges_reconcile_through_the_stack import _user

from attendandt.contracts.reconciliation import ChargeReconcileReport
from attendandt.contracts.streams import SYNC_HEALTH
from attendandt.mews import Credentials, MewsSettings
from attendandt.platform.settings import NatsSettings, ObservabilitySettings
from attendandt.sync.app import SyncApp
from attendandt.sync.charges_reconcile import last_report
from attendandt.sync.settings import SyncSettings
from attendandt.testing.nats_accounts import nats_env

__all__ = ["stack"]  # the fixture, imported for this module's tests

Posted = dict[str, Any]


@pytest.fixture
async def charge_in_mews(
    stack: Any, jetstream: JetStreamContext, mews_sim: Any
) -> Callable[[], Awaitable[Posted]]:
    """Posts one charge of the Lagoon Spa for the stay in house, as a manager: returns the
    charge once vendors has it posted, with `headers` (the manager's) and `item` (its order
    item in the simulator)."""
    client = stack.client
    admin = await _sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    enterprise_id, spa_id, _ = await _hotel(jetstream, mews_sim)
    vendor = await client.post(
        "/api/v1/vendors",
        json={"enterprise_id": enterprise_id, "name": "Lagoon Spa", "category": "spa"},
        headers=admin,
    )
    assert vendor.status_code == 201, vendor.text
    vendor_id = vendor.json()["vendor_id"]

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

    async def post() -> Posted:
        async def made() -> Any:
            answer = await client.post(
                "/api/v1/charges",
                json={"offering_id": offering_id, "guest_id": "g-1", "stay_id": "s-1"},
                headers=manager,
            )
            return answer.json() if answer.status_code == 201 else None

        charge_id = (await _eventually(made, "the stay"))["charge_id"]

        async def posted() -> Any:
            got = await client.get(f"/api/v1/charges/{charge_id}", headers=manager)
            return got.json() if got.json()["state"] == "posted" else None

        charge = dict(await _eventually(posted, "the charge posted"))
        [item] = [
            i
            for i in mews_sim.control.order_items(enterprise_id)
            if i["ServiceOrderId"] == charge["mews_order_id"]
        ]
        return {**charge, "headers": manager, "item": item, "enterprise_id": enterprise_id}

    return post


async def _state_of(client: httpx.AsyncClient, charge: Posted) -> dict[str, Any]:
    got = await client.get(f"/api/v1/charges/{charge['charge_id']}", headers=charge["headers"])
    assert got.status_code == 200, got.text
    return dict(got.json())


def _sync_settings(mews_sim: Any, nats_url: str, **changes: Any) -> SyncSettings:
    token = mews_sim.gross.token
    settings = SyncSettings(
        nats=NatsSettings(url=nats_url),
        observability=ObservabilitySettings(service="sync"),
        mews=MewsSettings(
            base_url=mews_sim.base_url,
            ws_url=mews_sim.ws_url,
            credentials=(Credentials(token.client_token, token.access_token),),
        ),
        initial_import=False,
    )
    return dataclasses.replace(settings, **changes)


async def test_the_sync_service_reconciles_charges_by_itself(
    stack: Any,
    charge_in_mews: Callable[[], Awaitable[Posted]],
    jetstream: JetStreamContext,
    mews_sim: Any,
    nats_url: str,
) -> None:
    charge = await charge_in_mews()
    enterprise_id = charge["enterprise_id"]
    reports = await jetstream.key_value(SYNC_HEALTH.bucket)
    assert await last_report(reports, enterprise_id) is None

    # A pass every half second; the report once a day (so the first pass makes it, and
    # every pass after covers the recent charges only).
    app = SyncApp(_sync_settings(mews_sim, nats_url, charges_interval_s=0.5))
    stop = asyncio.Event()
    running = asyncio.create_task(app.run(stop))
    try:

        async def stored() -> ChargeReconcileReport | None:
            if running.done():
                running.result()
            return await last_report(reports, enterprise_id)

        report = await _eventually(stored, "sync's own charges report")
        assert (report.trigger, report.charges_checked, report.mismatches_total) == (
            "nightly", 1, 0,
        )  # fmt: skip
        assert report.charges_updated == 1  # the first reading of the charge, recorded

        # Mews's staff cancel the item in Mews; nobody runs a command.
        mews_sim.control.cancel_order_item(charge["item"]["Id"])

        async def cancelled() -> Any:
            got = await _state_of(stack.client, charge)
            return got if got["state"] == "cancelled" else None

        got = await _eventually(cancelled, "the charge cancelled by sync's next pass")
        assert got["cancel_method"] == "cancelled_in_mews"
        # A pass over the recent charges did it: the stored report is still the first one.
        assert await last_report(reports, enterprise_id) == report
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(running, 20)
    running.result()


def _ops_env(mews_sim: Any, nats_url: str) -> dict[str, str]:
    token = mews_sim.gross.token
    return {
        **os.environ,
        **nats_env(nats_url),
        "MEWS_BASE_URL": mews_sim.base_url,
        "MEWS_CLIENT_TOKEN": token.client_token,
        "MEWS_ACCESS_TOKENS": token.access_token,
        "LOG_LEVEL": "WARNING",
    }


async def _ops(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`attendandt <args>` as an operator runs it, off the event loop."""
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "attendandt.ops", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_charges_reconcile_on_demand_prints_its_progress_and_report(
    stack: Any,
    charge_in_mews: Callable[[], Awaitable[Posted]],
    jetstream: JetStreamContext,
    mews_sim: Any,
    nats_url: str,
) -> None:
    kept = await charge_in_mews()
    gone = await charge_in_mews()
    enterprise_id = kept["enterprise_id"]
    mews_sim.control.cancel_order_item(gone["item"]["Id"])
    env = _ops_env(mews_sim, nats_url)

    done = await _ops(env, "charges", "reconcile", "--enterprise", enterprise_id)

    assert done.returncode == 0, done.stdout + done.stderr
    # Its progress (on stderr, redrawn in place), step by step.
    for step in ("ledger", "mews items", "compare"):
        assert step in done.stderr, done.stderr
    assert "2 posted charges" in done.stderr
    out = done.stdout
    assert f"charges of {enterprise_id} posted " in out, out
    assert "2 checked" in out
    assert "2 updated from Mews, 1 mismatches" in out
    assert "  cancelled_in_mews: 1" in out
    assert f"  - cancelled_in_mews {gone['charge_id']}: ours 1 x 80" in out
    assert kept["charge_id"] not in out
    assert "stored as the property's last charges report (Sync page)" in out
    assert (await _state_of(stack.client, gone))["state"] == "cancelled"
    assert (await _state_of(stack.client, kept))["state"] == "posted"
    # The Sync page shows it as the property's last report, run on demand.
    shown = await stack.client.get(f"/api/v1/sync/{enterprise_id}", headers=kept["headers"])
    assert shown.status_code == 200, shown.text
    report = shown.json()["charges_report"]
    assert (report["trigger"], report["by_kind"]) == ("on_demand", {"cancelled_in_mews": 1})

    # Run again: the same mismatch (the report does not depend on what was recorded), and
    # nothing is sent to vendors again.
    again = await _ops(env, "charges", "reconcile", "--enterprise", enterprise_id)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 updated from Mews, 1 mismatches" in again.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        pytest.param(
            ("--since", "2026-13-01"),
            "argument --since: '2026-13-01' is not a date like 2026-01-31",
            id="not a date",
        ),
        pytest.param(
            ("--since", "2026-02-01", "--until", "2026-01-01"),
            "charges reconcile: --until must be after --since",
            id="until before since",
        ),
    ],
)
async def test_charges_reconcile_says_what_is_wrong_with_its_arguments(
    args: tuple[str, ...], said: str, mews_sim: Any, nats_url: str
) -> None:
    env = _ops_env(mews_sim, nats_url)
    done = await _ops(env, "charges", "reconcile", "--enterprise", mews_sim.gross.id, *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert said in done.stdout + done.stderr


async def test_charges_reconcile_names_the_setting_to_fix(
    mews_sim: Any, nats_url: str, jetstream: JetStreamContext
) -> None:
    env = _ops_env(mews_sim, nats_url)
    # No property of the configured tokens.
    stranger = await _ops(env, "charges", "reconcile", "--enterprise", "no-such-hotel")
    assert stranger.returncode == 2, stranger.stdout + stranger.stderr
    assert "no token opens no-such-hotel" in stranger.stdout
    # No tokens at all: the variable to set is named.
    bare = {k: v for k, v in env.items() if k != "MEWS_ACCESS_TOKENS"}
    unset = await _ops(bare, "charges", "reconcile", "--enterprise", mews_sim.gross.id)
    assert unset.returncode == 2, unset.stdout + unset.stderr
    assert "MEWS_ACCESS_TOKENS" in unset.stdout
    assert "Traceback" not in unset.stdout + unset.stderr
    # The enterprise is required, and argparse says so.
    missing = await _ops(env, "charges", "reconcile")
    assert missing.returncode == 2
    assert "the following arguments are required: --enterprise" in missing.stderr
