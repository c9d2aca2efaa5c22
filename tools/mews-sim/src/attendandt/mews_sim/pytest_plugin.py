"""pytest plugin: the `mews_sim` fixture, a Mews simulator for any package's tests.

Registered through the `pytest11` entry point of attendandt-mews-sim, so every package in the
workspace gets it without imports. One simulator process starts per test session (on a free
port, killed with pytest); every test that uses `mews_sim` gets it reset to the small seed,
with faults, counters and rate-limit state cleared.

    def test_sync_reads_customers(mews_sim):
        token = mews_sim.gross.token
        r = httpx.post(mews_sim.api_url("customers/getAll"), json={
            **token.body(), "Extent": {"Customers": True},
            "UpdatedUtc": {"StartUtc": ..., "EndUtc": ...}, "Limitation": {"Count": 100}})
        mews_sim.control.update_customer(customer_id, Email="new@example.com")  # staff edit
        mews_sim.control.fail_next(2, path="orders/add")                          # 500, 500
        mews_sim.control.rate_limit(limit=5, window_s=2)                          # 429s soon
        mews_sim.reset("small", now_utc="2026-06-10T09:00:00Z", frozen=True)      # set the clock
        mews_sim.control.reservations(mews_sim.gross.id)        # every stay, to work out day lists
        hotel = mews_sim.control.connect_property()   # IntegrationCreated to the webhook URL
        mews_sim.control.integration_action(hotel["integration_id"], "disable")  # token: 401
        group = mews_sim.control.connect_portfolio(properties=3)  # one Portfolio Access Token
        mews_sim.control.requests_for_scope(group["enterprise_ids"][0])  # that property's share
        mews_sim.control.counters()["requests_by_enterprise"][hotel["enterprise_id"]]

Handle: `base_url`, `ws_url`, `api_url(op)`, `enterprises` (`gross`, `net`; each with `id`,
`chain_id`, `integration_id`, `time_zone` and `tokens` giving `body()` and `cookie()`),
`control` (`SimControl`). Each reset returns the clock to real time unless told otherwise.
`MEWS_SIM_SEED` changes the per-test seed (default `small`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from attendandt.mews_sim.runner import MewsSim, start_simulator


@pytest.fixture(scope="session")
def mews_sim_session() -> Iterator[MewsSim]:
    sim = start_simulator(seed=os.environ.get("MEWS_SIM_SEED", "small"))
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def mews_sim(mews_sim_session: MewsSim) -> MewsSim:
    mews_sim_session.reset(os.environ.get("MEWS_SIM_SEED", "small"))
    return mews_sim_session
