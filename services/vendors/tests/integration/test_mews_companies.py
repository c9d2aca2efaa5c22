"""Mews companies: stored from sync's commands (last write wins), listed for a property's
managers, and linked to a vendor (one vendor per company, only a company of the vendor's own
property); a later company change refreshes the linked vendor's sync time, not its name."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from vendors_testkit import ADMIN, FRONT_DESK, Harness, staff_of, vendor_user, wait_for

from attendandt.contracts.caller import Caller
from attendandt.contracts.commands import UPSERT_COMPANY, UpsertCompany
from attendandt.contracts.deadletter import DeadLetter
from attendandt.contracts.events import VendorEvent
from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import CompanySnapshot, UserRole
from attendandt.platform.messaging import publish

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CONSUMER = "vendors-upsert-company"


async def company(
    harness: Harness,
    mews_id: str,
    name: str,
    updated: datetime = T0,
    *,
    enterprise_id: str | None = None,
    is_active: bool = True,
    read_at: datetime | None = None,
    command_id: str | None = None,
) -> str:
    """Command a company as sync would, and wait until vendors processed it."""
    command_id = command_id or f"company:{uuid.uuid4()}"
    await publish(
        harness.js,
        UPSERT_COMPANY,
        UpsertCompany(
            command_id=command_id,
            enterprise_id=enterprise_id or harness.enterprise_id,
            issued_at=read_at or harness.clock.now,
            company=CompanySnapshot(
                mews_id=mews_id, mews_updated_utc=updated, name=name, is_active=is_active
            ),
        ),
        msg_id=command_id,
    )
    await harness.processed(CONSUMER, command_id)
    return command_id


async def listed(
    harness: Harness, q: str | None = None, caller: Caller | None = None
) -> list[tuple[str, str, bool]]:
    page = await harness.call(
        rpc.LIST_MEWS_COMPANIES,
        rpc.ListMewsCompaniesRequest(enterprise_id=harness.enterprise_id, q=q),
        caller=caller or harness.manager(),
    )
    return [(c.mews_id, c.name, c.is_active) for c in page.items]


async def link(harness: Harness, vendor_id: str, mews_company_id: str | None) -> rpc.VendorView:
    reply = await harness.call(
        rpc.UPDATE_VENDOR,
        rpc.UpdateVendorRequest(vendor_id=vendor_id, mews_company_id=mews_company_id),
        caller=harness.manager(),
    )
    return reply.vendor


async def test_companies_are_stored_last_write_wins_and_listed_by_name_prefix(
    harness: Harness,
) -> None:
    await company(harness, "c-lagoon", "Lagoon Wellness s.r.o.")
    await company(harness, "c-alps", "Alpine Travel", is_active=False)
    await company(harness, "c-lake", "Lakeside Tours_%")
    await company(harness, "c-other", "Lagoon Elsewhere", enterprise_id="another-hotel")
    assert await listed(harness) == [
        ("c-lagoon", "Lagoon Wellness s.r.o.", True),
        ("c-lake", "Lakeside Tours_%", True),
        ("c-alps", "Alpine Travel", False),  # inactive ones last
    ]
    assert [c[0] for c in await listed(harness, "lag")] == ["c-lagoon"]
    # LIKE's wildcards in the query are plain characters.
    assert await listed(harness, "La_") == []
    assert [c[0] for c in await listed(harness, "lakeside tours_%")] == ["c-lake"]

    # An older version changes nothing; the same second with other content read later wins;
    # the same command again is a repeat.
    await company(harness, "c-lagoon", "Lagoon (old)", T0 - timedelta(minutes=1))
    assert (await listed(harness, "lag"))[0][1] == "Lagoon Wellness s.r.o."
    later = harness.clock.now + timedelta(seconds=5)
    again = await company(harness, "c-lagoon", "Lagoon Wellness a.s.", T0, read_at=later)
    assert (await listed(harness, "lag"))[0][1] == "Lagoon Wellness a.s."
    await company(harness, "c-lagoon", "Lagoon (stale read)", T0, read_at=later - timedelta(1))
    assert (await listed(harness, "lag"))[0][1] == "Lagoon Wellness a.s."
    rows = await harness.sql(
        "select count(*) as n from vendors.inbox where consumer = $1 and message_id = $2",
        CONSUMER,
        again,
    )
    assert rows[0]["n"] == 1
    stored = await harness.sql(
        "select synced_at, mews_digest from vendors.mews_companies where mews_id = 'c-lagoon'"
    )
    assert stored[0]["synced_at"] == harness.clock.now
    assert stored[0]["mews_digest"]


async def test_only_managers_of_the_property_see_its_companies(harness: Harness) -> None:
    await company(harness, "c-lagoon", "Lagoon Wellness s.r.o.")
    request = rpc.ListMewsCompaniesRequest(enterprise_id=harness.enterprise_id)
    assert [c[0] for c in await listed(harness, caller=ADMIN)] == ["c-lagoon"]
    other_manager = harness.manager(enterprise_id="another-hotel")
    assert await harness.fails(rpc.LIST_MEWS_COMPANIES, request, other_manager) == 404
    desk = staff_of(harness.enterprise_id, UserRole.FRONT_DESK)
    assert await harness.fails(rpc.LIST_MEWS_COMPANIES, request, desk) == 403
    vendor = await harness.vendor()
    own = vendor_user(vendor.vendor_id, enterprise_id=harness.enterprise_id)
    assert await harness.fails(rpc.LIST_MEWS_COMPANIES, request, own) == 403


async def test_linking_fills_the_vendor_and_a_later_company_change_refreshes_it(
    harness: Harness,
) -> None:
    await company(harness, "c-lagoon", "Lagoon Wellness s.r.o.")
    linked_sync = harness.clock.now
    vendor = await harness.vendor("Lagoon Spa")
    assert (vendor.mews_id, vendor.synced_at) == (None, None)

    harness.clock.advance(timedelta(minutes=5))
    linked = await link(harness, vendor.vendor_id, "c-lagoon")
    assert (linked.mews_id, linked.mews_updated_utc) == ("c-lagoon", T0)
    assert linked.synced_at == linked_sync  # when vendors last learned of the company
    assert linked.name == "Lagoon Spa"
    # Linking it again changes nothing.
    same = await link(harness, vendor.vendor_id, "c-lagoon")
    assert same.version == linked.version

    harness.clock.advance(timedelta(minutes=5))
    await company(harness, "c-lagoon", "Lagoon Wellness a.s.", T0 + timedelta(hours=1))
    got = await harness.call(
        rpc.GET_VENDOR, rpc.GetVendorRequest(vendor_id=vendor.vendor_id), caller=harness.manager()
    )
    refreshed = got.vendor
    assert refreshed.mews_updated_utc == T0 + timedelta(hours=1)
    assert refreshed.synced_at == harness.clock.now
    assert refreshed.name == "Lagoon Spa"  # the vendor keeps its own name
    # An older company version afterwards touches neither the company nor the vendor.
    await company(harness, "c-lagoon", "Lagoon (old)", T0)
    got = await harness.call(
        rpc.GET_VENDOR, rpc.GetVendorRequest(vendor_id=vendor.vendor_id), caller=harness.manager()
    )
    assert got.vendor.version == refreshed.version

    await harness.wait_events([("vendor", "created"), ("vendor", "updated"), ("vendor", "updated")])
    events = await harness.event_bodies("vendor", VendorEvent)
    assert events[-1].vendor.mews_id == "c-lagoon"
    assert events[-1].vendor.mews_updated_utc == T0 + timedelta(hours=1)


async def test_a_company_of_another_property_or_unknown_cannot_be_linked(
    harness: Harness,
) -> None:
    await company(harness, "c-far", "Far Away Ltd", enterprise_id="another-hotel")
    vendor = await harness.vendor()
    for mews_id in ("c-far", "c-never-synced"):
        failure = await harness.fails_as(
            harness.manager(),
            rpc.UPDATE_VENDOR,
            rpc.UpdateVendorRequest(vendor_id=vendor.vendor_id, mews_company_id=mews_id),
        )
        assert failure.error.status == 422
        assert f"no Mews company {mews_id} in this hotel" in (failure.error.detail or "")
    got = await harness.call(
        rpc.GET_VENDOR, rpc.GetVendorRequest(vendor_id=vendor.vendor_id), caller=harness.manager()
    )
    assert got.vendor.mews_id is None


async def test_one_vendor_per_company_only_managers_link_and_null_unlinks(
    harness: Harness,
) -> None:
    await company(harness, "c-lagoon", "Lagoon Wellness s.r.o.")
    first = await harness.vendor("Lagoon Spa")
    second = await harness.vendor("Lagoon Bar")
    request = rpc.UpdateVendorRequest(vendor_id=second.vendor_id, mews_company_id="c-lagoon")
    assert await harness.fails(rpc.UPDATE_VENDOR, request, FRONT_DESK) == 403

    await link(harness, first.vendor_id, "c-lagoon")
    failure = await harness.fails_as(harness.manager(), rpc.UPDATE_VENDOR, request)
    assert failure.error.status == 409
    assert first.vendor_id in (failure.error.detail or "")

    unlinked = await link(harness, first.vendor_id, None)
    assert (unlinked.mews_id, unlinked.mews_updated_utc, unlinked.synced_at) == (None, None, None)
    relinked = await link(harness, second.vendor_id, "c-lagoon")
    assert relinked.mews_id == "c-lagoon"


async def test_a_company_command_for_a_malformed_property_is_a_dead_letter(
    harness: Harness,
) -> None:
    command_id = f"company:{uuid.uuid4()}"
    await publish(
        harness.js,
        UPSERT_COMPANY,
        UpsertCompany(
            command_id=command_id,
            enterprise_id="not.a.property",
            issued_at=harness.clock.now,
            company=CompanySnapshot(mews_id="c-1", mews_updated_utc=T0, name="X"),
        ),
        msg_id=command_id,
    )

    async def dead() -> list[DeadLetter]:
        return await harness.dead_letters(CONSUMER)

    [letter] = await wait_for(dead, what="the dead letter")
    assert "not a plain id" in letter.reason
    assert await harness.sql("select 1 from vendors.mews_companies") == []
