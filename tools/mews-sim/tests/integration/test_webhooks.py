"""General Webhooks: envelope, batching, redelivery after failure, dropping."""

from __future__ import annotations

import time


def events_of(bodies: list[dict]) -> list[tuple[str, str]]:
    return [(e["Discriminator"], e["Value"]["Id"]) for b in bodies for e in b["Events"]]


def test_customer_added_and_updated_in_one_message(mews_sim, webhook_receiver) -> None:
    customer = mews_sim.control.add_customer(LastName="Hook", Email="hook@example.com")
    bodies = webhook_receiver.wait_for(lambda b: len(b) >= 1)
    assert bodies[0]["EnterpriseId"] == mews_sim.gross.id
    assert bodies[0]["IntegrationId"] == mews_sim.gross.integration_id
    assert events_of(bodies) == [
        ("CustomerAdded", customer["Id"]),
        ("CustomerUpdated", customer["Id"]),
    ]
    assert webhook_receiver.paths[0] == "/mews/webhook"


def test_burst_is_batched_and_covers_reservations_and_resources(mews_sim, webhook_receiver) -> None:
    touched = mews_sim.control.touch("reservations", 30)
    mews_sim.control.set_resource_state("20e00c32-d561-4008-8609-82d8aa525714", "OutOfService")
    bodies = webhook_receiver.wait_for(lambda b: len(events_of(b)) >= 31)
    assert len(bodies) == 1
    events = events_of(bodies)
    assert [i for d, i in events if d == "ServiceOrderUpdated"] == touched
    assert ("ResourceUpdated", "20e00c32-d561-4008-8609-82d8aa525714") in events


def test_redelivered_after_failures(mews_sim, webhook_receiver) -> None:
    webhook_receiver.fail_remaining = 2
    customer = mews_sim.control.add_customer(LastName="Retry")
    bodies = webhook_receiver.wait_for(lambda b: len(b) >= 1)
    assert ("CustomerUpdated", customer["Id"]) in events_of(bodies)
    deadline = time.monotonic() + 5
    while mews_sim.control.counters()["webhook_messages_delivered"] < 1:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert mews_sim.control.counters()["webhook_attempts_failed"] == 2


def test_injected_failures_then_dropped(mews_sim, webhook_receiver) -> None:
    mews_sim.control.webhook_target_down(True)
    mews_sim.control.add_customer(LastName="Lost")
    deadline = time.monotonic() + 10
    while mews_sim.control.counters()["webhook_messages_dropped"] < 1:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    counters = mews_sim.control.counters()
    assert counters["webhook_attempts_failed"] == 3  # max_attempts in the fixture
    assert webhook_receiver.bodies == []
    mews_sim.control.webhook_target_down(False)
    mews_sim.control.fail_webhooks(1)
    mews_sim.control.add_customer(LastName="Second")
    webhook_receiver.wait_for(lambda b: len(b) == 1)


def test_secret_is_added_to_the_url_query_as_mews_does(mews_sim, webhook_receiver) -> None:
    mews_sim.control.configure_webhooks(webhook_receiver.url, secret="s3cr3t")
    mews_sim.control.add_customer(LastName="Secret")
    webhook_receiver.wait_for(lambda b: len(b) >= 1)
    # The Mews docs' form (Webhooks FAQ): `?Token=<secret>`, the path as registered.
    assert webhook_receiver.paths[0] == "/mews/webhook?Token=s3cr3t"
    described = mews_sim.control.webhooks()
    assert described["config"]["secret"] == "***"
    assert "s3cr3t" not in str(described)
