"""The seed is deterministic and has the documented variety."""

from __future__ import annotations

from collections import Counter

import msgspec
import pytest

from attendandt.mews_sim import seed


def test_same_config_same_data() -> None:
    config = seed.parse_seed("small,anchor=2025-06-01")
    first, second = seed.build(config), seed.build(config)
    for name in ("customers", "reservations", "resources", "bills", "order_items"):
        a = [getattr(first, name).items[i] for i in getattr(first, name).order]
        b = [getattr(second, name).items[i] for i in getattr(second, name).order]
        assert msgspec.json.encode(a) == msgspec.json.encode(b)
    other = seed.build(seed.parse_seed("small,anchor=2025-06-01,random_seed=7"))
    assert list(other.customers.order) != list(first.customers.order)


def test_default_size_and_every_state() -> None:
    store = seed.build(seed.parse_seed("default,anchor=2025-06-01"))
    assert len(store.info) == 2
    seeded_rooms = [
        r for r in store.resources.items.values() if r["Data"]["Value"]["FloorNumber"] != "1"
    ]
    assert len(seeded_rooms) == 300
    assert len(store.customers) >= 5000
    assert len(store.reservations) >= 10000
    states = Counter(r["State"] for r in store.reservations.items.values())
    assert set(states) == {
        "Inquired",
        "Confirmed",
        "Started",
        "Processed",
        "Canceled",
        "Optional",
        "Requested",
    }
    kinds = {s["Data"]["Discriminator"] for s in store.services.items.values()}
    assert kinds == {"Bookable", "Additional"}
    assert len(store.companies) >= 100
    assert len(store.accounting_categories) >= 12


def test_seed_text_is_validated() -> None:
    with pytest.raises(ValueError, match="unknown seed"):
        seed.parse_seed("huge")
    with pytest.raises(ValueError, match="unknown seed setting"):
        seed.parse_seed("small,rooms=3,colour=blue")
    assert seed.parse_seed("small,customers=7").customers == 7
