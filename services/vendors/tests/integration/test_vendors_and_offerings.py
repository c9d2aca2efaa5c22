"""Vendors and offerings: CRUD over RPC, paging, and vendors upserted by command (Mews
partner companies, last write wins on their UpdatedUtc; repeats change nothing)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from vendors_testkit import FRONT_DESK, MANAGER, Harness, wait_for

from attendandt.contracts.commands import UPSERT_VENDOR, UpsertVendor
from attendandt.contracts.deadletter import DeadLetter
from attendandt.contracts.events import VendorEvent
from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import VendorSnapshot
from attendandt.platform.messaging import publish

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def test_vendor_crud_and_paging(harness: Harness) -> None:
    names = ["Alpine Bikes", "Boat Trips", "City Tours", "Dune Buggies", "Echo Spa"]
    created = [await harness.vendor(name, category="tours") for name in names]
    spa = created[-1]

    updated = await harness.call(
        rpc.UPDATE_VENDOR,
        rpc.UpdateVendorRequest(vendor_id=spa.vendor_id, category="spa", contact_email=None),
        caller=MANAGER,
    )
    assert (updated.vendor.category, updated.vendor.contact_email) == ("spa", None)
    assert updated.vendor.name == "Echo Spa"  # left out: kept
    same = await harness.call(
        rpc.UPDATE_VENDOR,
        rpc.UpdateVendorRequest(vendor_id=spa.vendor_id, name="Echo Spa"),
        caller=MANAGER,
    )
    assert same.vendor.version == updated.vendor.version  # nothing changed, no event

    first = await harness.call(rpc.LIST_VENDORS, rpc.ListVendorsRequest(limit=2), caller=FRONT_DESK)
    assert [v.name for v in first.items] == names[:2]
    assert (first.total, first.next_offset) == (5, 2)
    last = await harness.call(
        rpc.LIST_VENDORS, rpc.ListVendorsRequest(limit=2, offset=4), caller=FRONT_DESK
    )
    assert ([v.name for v in last.items], last.next_offset) == (["Echo Spa"], None)
    spas = await harness.call(
        rpc.LIST_VENDORS, rpc.ListVendorsRequest(category="spa"), caller=FRONT_DESK
    )
    assert [v.vendor_id for v in spas.items] == [spa.vendor_id]

    await harness.call(
        rpc.DEACTIVATE_VENDOR, rpc.DeactivateVendorRequest(vendor_id=spa.vendor_id), caller=MANAGER
    )
    again = await harness.call(
        rpc.DEACTIVATE_VENDOR, rpc.DeactivateVendorRequest(vendor_id=spa.vendor_id), caller=MANAGER
    )
    assert again.vendor.is_active is False
    active = await harness.call(rpc.LIST_VENDORS, rpc.ListVendorsRequest(), caller=FRONT_DESK)
    assert active.total == 4
    everyone = await harness.call(
        rpc.LIST_VENDORS, rpc.ListVendorsRequest(include_inactive=True), caller=FRONT_DESK
    )
    assert everyone.total == 5
    offering = rpc.CreateOfferingRequest(
        vendor_id=spa.vendor_id,
        name="X",
        unit_price=Decimal(1),
        currency="EUR",
        mews_service_id="s",
    )
    assert await harness.fails(rpc.CREATE_OFFERING, offering, MANAGER) == 409
    missing = rpc.GetVendorRequest(vendor_id="nope")
    assert await harness.fails(rpc.GET_VENDOR, missing, MANAGER) == 404

    await harness.wait_events(
        [("vendor", "created")] * 5 + [("vendor", "updated"), ("vendor", "deactivated")]
    )


async def test_offering_crud(harness: Harness) -> None:
    vendor = await harness.vendor()
    massage = await harness.offering(vendor.vendor_id, name="Massage")
    facial = await harness.offering(vendor.vendor_id, name="Facial", price="60")
    await harness.offering(vendor.vendor_id, name="Bath", price="20")

    changed = await harness.call(
        rpc.UPDATE_OFFERING,
        rpc.UpdateOfferingRequest(
            offering_id=massage.offering_id,
            unit_price=Decimal("90.00"),
            amount_is_gross=False,
            mews_product_id=None,
        ),
        caller=MANAGER,
    )
    view = changed.offering
    assert (view.unit_price, view.amount_is_gross, view.mews_product_id) == (
        Decimal(90),
        False,
        None,
    )
    assert view.mews_service_id == "svc-spa"
    assert view.version == 2
    bad_price = rpc.UpdateOfferingRequest(
        offering_id=massage.offering_id, unit_price=Decimal("NaN")
    )
    assert await harness.fails(rpc.UPDATE_OFFERING, bad_price, MANAGER) == 422

    await harness.call(
        rpc.DEACTIVATE_OFFERING,
        rpc.DeactivateOfferingRequest(offering_id=facial.offering_id),
        caller=MANAGER,
    )
    listed = await harness.call(
        rpc.LIST_OFFERINGS, rpc.ListOfferingsRequest(vendor_id=vendor.vendor_id), caller=FRONT_DESK
    )
    assert [o.name for o in listed.items] == ["Bath", "Massage"]
    paged = await harness.call(
        rpc.LIST_OFFERINGS,
        rpc.ListOfferingsRequest(
            vendor_id=vendor.vendor_id, include_inactive=True, limit=1, offset=1
        ),
        caller=FRONT_DESK,
    )
    assert ([o.name for o in paged.items], paged.total, paged.next_offset) == (["Facial"], 3, 2)
    missing = rpc.ListOfferingsRequest(vendor_id="nope")
    assert await harness.fails(rpc.LIST_OFFERINGS, missing, FRONT_DESK) == 404


def _upsert(harness: Harness, command_id: str, **vendor: object) -> UpsertVendor:
    values: dict[str, object] = {
        "vendor_id": "v-mews-1",
        "name": "Partner Spa",
        "category": "spa",
        "mews_id": "company-1",
        "mews_updated_utc": T0,
    }
    values.update(vendor)
    return UpsertVendor(
        command_id=command_id,
        enterprise_id=harness.enterprise_id,
        issued_at=T0,
        vendor=VendorSnapshot(**values),
    )


async def _send(harness: Harness, command: UpsertVendor, msg_id: str | None = None) -> None:
    await publish(harness.js, UPSERT_VENDOR, command, msg_id=msg_id or command.command_id)
    await harness.processed("vendors-upsert-vendor", command.command_id)


async def test_upsert_vendor_last_write_wins_and_repeats_change_nothing(harness: Harness) -> None:
    newer = _upsert(harness, "c-2", name="Partner Spa v2", mews_updated_utc=T0 + timedelta(hours=2))
    await _send(harness, newer)
    # The same command again (past the dedup window: another message id).
    await publish(harness.js, UPSERT_VENDOR, newer, msg_id="c-2-again")
    # An older Mews version arriving late.
    await _send(harness, _upsert(harness, "c-1", name="Partner Spa v1", mews_updated_utc=T0))
    # A command for the same Mews company with another id: the known row is updated.
    await _send(
        harness,
        _upsert(
            harness,
            "c-3",
            vendor_id="someone-elses-id",
            name="Partner Spa v3",
            is_active=False,
            mews_updated_utc=T0 + timedelta(hours=3),
        ),
    )

    async def stored() -> list[Any]:
        rows = await harness.sql("select * from vendors.vendors")
        return rows if rows and rows[0]["name"] == "Partner Spa v3" else []

    [row] = await wait_for(stored, what="the newest version")
    assert row["id"] == "v-mews-1"
    assert row["is_active"] is False
    assert row["mews_updated_utc"] == T0 + timedelta(hours=3)
    assert row["synced_at"] is not None
    await harness.wait_events([("vendor", "created"), ("vendor", "deactivated")])
    bodies = await harness.event_bodies("vendor", VendorEvent)
    assert [b.vendor.name for b in bodies] == ["Partner Spa v2", "Partner Spa v3"]
    assert [b.event_id for b in bodies] == ["vendor:v-mews-1:1", "vendor:v-mews-1:2"]


async def test_upsert_links_a_vendor_made_here_to_its_mews_company(harness: Harness) -> None:
    local = await harness.vendor("Harbour Boats", category="excursions")
    await _send(
        harness,
        _upsert(
            harness,
            "link-1",
            vendor_id=local.vendor_id,
            name="Harbour Boats Ltd",
            mews_id="company-9",
        ),
    )
    got = await harness.call(
        rpc.GET_VENDOR, rpc.GetVendorRequest(vendor_id=local.vendor_id), caller=MANAGER
    )
    assert (got.vendor.mews_id, got.vendor.name) == ("company-9", "Harbour Boats Ltd")
    # Without a Mews version, every new command applies (once).
    plain = _upsert(harness, "plain-1", vendor_id="v-plain", mews_id=None, mews_updated_utc=None)
    await _send(harness, plain)
    await _send(
        harness,
        _upsert(
            harness,
            "plain-2",
            vendor_id="v-plain",
            name="Renamed",
            mews_id=None,
            mews_updated_utc=None,
        ),
    )
    renamed = await harness.call(
        rpc.GET_VENDOR, rpc.GetVendorRequest(vendor_id="v-plain"), caller=MANAGER
    )
    assert renamed.vendor.name == "Renamed"
    # A vendor id already linked to another Mews company is refused (dead letter), not merged.
    await publish(
        harness.js,
        UPSERT_VENDOR,
        _upsert(harness, "clash", vendor_id=local.vendor_id, mews_id="company-other"),
        msg_id="clash",
    )

    async def letter() -> list[DeadLetter]:
        return await harness.dead_letters("vendors-upsert-vendor")

    [dead] = await wait_for(letter, what="a dead letter")
    assert dead.reason == f"rejected: vendor {local.vendor_id} is linked to another Mews company"
    await harness.wait_events(
        [("vendor", "created"), ("vendor", "updated"), ("vendor", "created"), ("vendor", "updated")]
    )
