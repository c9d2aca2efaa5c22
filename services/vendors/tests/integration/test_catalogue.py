"""The hotel's Mews catalogue in vendors: kept from sync's UpsertCatalogue (newest version
wins), read by whoever manages offerings, and what every offering must fit: an active
Additional service of its property, an active product of that service, the hotel's currency."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from vendors_testkit import (
    CATALOGUE_PRODUCTS,
    CATALOGUE_SERVICES,
    FRONT_DESK,
    MANAGER,
    Harness,
    staff_of,
    vendor_user,
    wait_for,
)

from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import CatalogueService

JAN = datetime(2026, 1, 1, tzinfo=UTC)


def create(vendor_id: str, **fields: Any) -> rpc.CreateOfferingRequest:
    values: dict[str, Any] = {
        "vendor_id": vendor_id,
        "name": "Massage",
        "unit_price": Decimal("80.00"),
        "mews_service_id": "svc-spa",
    }
    return rpc.CreateOfferingRequest(**(values | fields))


async def _catalogue(harness: Harness, enterprise_id: str | None = None) -> rpc.CatalogueResponse:
    return await harness.call(
        rpc.GET_CATALOGUE,
        rpc.GetCatalogueRequest(enterprise_id=enterprise_id or harness.enterprise_id),
        MANAGER,
    )


async def test_the_catalogue_from_sync_is_read_by_those_who_manage_offerings(
    harness: Harness,
) -> None:
    found = await _catalogue(harness)
    assert (found.enterprise_id, found.default_currency, found.pricing) == (
        harness.enterprise_id, "EUR", "gross",
    )  # fmt: skip
    # Mews's ordering, then name; products by name under their service.
    assert [(s.name, s.kind, s.is_active) for s in found.services] == [
        ("Accommodation", "bookable", True),
        ("Old restaurant", "additional", False),
        ("Spa", "additional", True),
        ("Boat trips", "additional", True),
    ]
    spa = next(s for s in found.services if s.mews_id == "svc-spa")
    assert [(p.name, p.is_active, p.unit_amount) for p in spa.products] == [
        ("Massage 60 min", True, Decimal("80.00")),
        ("Mud bath", False, None),
        ("Sauna access", True, Decimal("20.00")),
    ]
    vendor = await harness.vendor()
    own = vendor_user(vendor.vendor_id, enterprise_id=harness.enterprise_id)
    request = rpc.GetCatalogueRequest(enterprise_id=harness.enterprise_id)
    assert (await harness.call(rpc.GET_CATALOGUE, request, own)).services == found.services
    # The front desk manages no offerings; another property's staff do not see this one.
    assert await harness.fails(rpc.GET_CATALOGUE, request, FRONT_DESK) == 403
    assert await harness.fails(rpc.GET_CATALOGUE, request, staff_of("another-hotel")) == 404
    # A property sync has not described yet.
    unknown = rpc.GetCatalogueRequest(enterprise_id="not-synced-yet")
    failure = await harness.fails_as(MANAGER, rpc.GET_CATALOGUE, unknown)
    assert failure.error.status == 409
    assert failure.error.detail == "the hotel's services are not synced yet; try again shortly"


async def test_an_offering_fits_the_hotels_catalogue_or_is_refused_with_what_would(
    harness: Harness,
) -> None:
    vendor = await harness.vendor()
    spa_user = vendor_user(vendor.vendor_id, enterprise_id=harness.enterprise_id)

    async def refused(**fields: Any) -> str:
        failure = await harness.fails_as(
            MANAGER, rpc.CREATE_OFFERING, create(vendor.vendor_id, **fields)
        )
        assert failure.error.status == 422, failure.error
        return failure.error.detail or ""

    spa_and_boats = "use one of: Spa (svc-spa), Boat trips (svc-boats)"
    detail = await refused(mews_service_id="svc-1")
    assert detail == (
        "mews_service_id svc-1 cannot take charges: no service of this hotel in Mews; "
        + spa_and_boats
    )
    detail = await refused(mews_service_id="svc-stay")
    assert "Accommodation is a bookable service (stays), not an Additional one" in detail
    assert spa_and_boats in detail
    assert "Old restaurant is deactivated in Mews" in await refused(mews_service_id="svc-old")

    massage_or_sauna = (
        "use one of: Massage 60 min (prod-massage), Sauna access (prod-sauna), or none"
    )
    detail = await refused(mews_product_id="prod-breakfast")
    assert detail == (
        "mews_product_id prod-breakfast is not an active product of Spa: Breakfast belongs to "
        f"Accommodation; {massage_or_sauna}"
    )
    assert "Mud bath is deactivated in Mews" in await refused(mews_product_id="prod-gone")
    assert "no product of this hotel" in await refused(mews_product_id="prod-nope")
    detail = await refused(mews_service_id="svc-boats", mews_product_id="prod-massage")
    assert detail.endswith("Massage 60 min belongs to Spa; leave it out")
    assert await refused(currency="USD") == (
        "currency USD is not the hotel's: its prices are in EUR (leave currency out to use it)"
    )

    # The Spa, the hotel's currency by default, the product's accounting category.
    made = await harness.call(
        rpc.CREATE_OFFERING, create(vendor.vendor_id, mews_product_id="prod-massage"), spa_user
    )
    offering = made.offering
    assert (offering.mews_service_id, offering.mews_product_id) == ("svc-spa", "prod-massage")
    assert (offering.currency, offering.accounting_category_id) == ("EUR", "acc-wellness")
    named = await harness.call(
        rpc.CREATE_OFFERING,
        create(vendor.vendor_id, currency="EUR", accounting_category_id="acc-own"),
        MANAGER,
    )
    assert (named.offering.currency, named.offering.mews_product_id) == ("EUR", None)
    assert named.offering.accounting_category_id == "acc-own"
    listed = await harness.call(
        rpc.LIST_OFFERINGS, rpc.ListOfferingsRequest(vendor_id=vendor.vendor_id), MANAGER
    )
    assert listed.total == 2  # nothing refused was written


async def test_changing_where_an_offering_posts_is_checked_the_same_way(harness: Harness) -> None:
    vendor = await harness.vendor()
    offering = (await harness.call(rpc.CREATE_OFFERING, create(vendor.vendor_id), MANAGER)).offering

    async def update(**fields: Any) -> Any:
        request = rpc.UpdateOfferingRequest(offering_id=offering.offering_id, **fields)
        return await harness.fails_as(MANAGER, rpc.UPDATE_OFFERING, request)

    failure = await update(mews_service_id="svc-stay")
    assert failure.error.status == 422
    assert "Accommodation is a bookable service" in (failure.error.detail or "")
    failure = await update(mews_product_id="prod-breakfast")
    assert "Breakfast belongs to Accommodation" in (failure.error.detail or "")
    assert (await update(currency="GBP")).error.status == 422
    # Moved to the boats service, the spa's product would no longer fit, and none is fine.
    moved = await harness.call(
        rpc.UPDATE_OFFERING,
        rpc.UpdateOfferingRequest(offering_id=offering.offering_id, mews_service_id="svc-boats"),
        MANAGER,
    )
    assert (moved.offering.mews_service_id, moved.offering.version) == ("svc-boats", 2)
    # A change that leaves where it posts alone needs no catalogue check.
    priced = await harness.call(
        rpc.UPDATE_OFFERING,
        rpc.UpdateOfferingRequest(offering_id=offering.offering_id, unit_price=Decimal(90)),
        MANAGER,
    )
    assert priced.offering.unit_price == Decimal(90)


async def test_an_offering_waits_for_the_catalogue(harness: Harness) -> None:
    other = f"{harness.enterprise_id}-new"
    vendor = await harness.call(
        rpc.CREATE_VENDOR,
        rpc.CreateVendorRequest(enterprise_id=other, name="New Spa", category="spa"),
        MANAGER,
    )
    request = create(vendor.vendor.vendor_id)
    failure = await harness.fails_as(MANAGER, rpc.CREATE_OFFERING, request)
    assert failure.error.status == 409
    assert failure.error.detail == "the hotel's services are not synced yet; try again shortly"
    await harness.catalogue(other, currency="GBP")
    made = await harness.call(rpc.CREATE_OFFERING, request, MANAGER)
    assert made.offering.currency == "GBP"


async def test_the_newest_catalogue_wins_and_replaces_the_whole(harness: Harness) -> None:
    vendor = await harness.vendor()
    # A newer catalogue: the spa went away, a gym came.
    gym = CatalogueService(mews_id="svc-gym", name="Gym", kind="additional", is_active=True)
    services = (*(s for s in CATALOGUE_SERVICES if s.mews_id != "svc-spa"), gym)
    products = tuple(p for p in CATALOGUE_PRODUCTS if p.service_mews_id != "svc-spa")
    feb = datetime(2026, 2, 1, tzinfo=UTC)
    await harness.catalogue(services=services, products=products, updated=feb)
    # An older one arriving late changes nothing; the same version read again neither.
    await harness.catalogue(updated=JAN)
    await harness.catalogue(services=services, products=products, updated=feb)

    found = await _catalogue(harness)
    assert {s.mews_id for s in found.services} == {"svc-stay", "svc-old", "svc-boats", "svc-gym"}
    assert found.mews_updated_utc == feb
    failure = await harness.fails_as(MANAGER, rpc.CREATE_OFFERING, create(vendor.vendor_id))
    # In Mews's ordering (the gym has none, so first).
    assert "use one of: Gym (svc-gym), Boat trips (svc-boats)" in (failure.error.detail or "")
    made = await harness.call(
        rpc.CREATE_OFFERING, create(vendor.vendor_id, mews_service_id="svc-gym"), MANAGER
    )
    assert made.offering.mews_service_id == "svc-gym"
    # The same Mews second, other content, read later: the newer version.
    await harness.catalogue(currency="CHF", services=services, products=products, updated=feb)
    assert (await _catalogue(harness)).default_currency == "CHF"


async def test_a_catalogue_that_cannot_be_right_becomes_a_dead_letter(harness: Harness) -> None:
    stray = CATALOGUE_PRODUCTS[0]
    sent = await harness.catalogue(services=(), products=(stray,), wait=False)

    async def letter() -> Any:
        letters = await harness.dead_letters("vendors-upsert-catalogue")
        return next((x for x in letters if sent.command_id.encode() in x.data), None)

    found = await wait_for(letter, what="the catalogue's dead letter")
    assert "products of services the catalogue does not hold: ['prod-massage']" in found.reason
    # What was known stays.
    assert {s.mews_id for s in (await _catalogue(harness)).services} >= {"svc-spa"}
