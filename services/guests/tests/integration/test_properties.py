"""The hotels themselves: UpsertProperty is last-write-wins like a guest, `list_properties`
answers the caller's hotels only, and a day list or a room search asked without a time zone
is for the hotel's day (UTC only while the hotel is not known)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec
import pytest
from guests_support import (
    ENT,
    OTHER_ENT,
    STAFF,
    T0,
    Clock,
    Running,
    eventually,
    guest,
    stay,
    upsert_guest,
    upsert_stay,
)

from attendandt.contracts.caller import Caller
from attendandt.contracts.commands import UPSERT_PROPERTY, UpsertProperty
from attendandt.contracts.rpc.guests import (
    ARRIVALS,
    LIST_PROPERTIES,
    DayStaysRequest,
    ListPropertiesRequest,
    SearchGuestsRequest,
)
from attendandt.contracts.snapshots import PropertySnapshot, StayState, UserRole
from attendandt.guests.applied import Applied
from attendandt.guests.service import GuestsService
from attendandt.platform.rpc import Invalid, call

C = "guests-upsert-property"
NEW_YORK = "America/New_York"


def hotel(enterprise: str = ENT, **fields: Any) -> PropertySnapshot:
    values: dict[str, Any] = {
        "enterprise_id": enterprise,
        "name": f"Hotel {enterprise}",
        "time_zone": NEW_YORK,
        "default_currency": "USD",
        "currencies": ("USD", "EUR"),
        "pricing": "net",
        "default_language_code": "en-US",
        "city": "Washington",
        "mews_updated_utc": T0,
    }
    return PropertySnapshot(**(values | fields))


_n = iter(range(1, 10_000))


def command(prop: PropertySnapshot, issued_at: datetime = T0, **kw: Any) -> UpsertProperty:
    return UpsertProperty(
        command_id=kw.pop("command_id", f"property-{next(_n)}"),
        enterprise_id=kw.pop("enterprise_id", prop.enterprise_id),
        issued_at=issued_at,
        property=prop,
    )


def caller_of(*enterprises: str, role: UserRole = UserRole.FRONT_DESK) -> Caller:
    return Caller(user_id=f"u-{role.value}", role=role, enterprise_ids=enterprises)


async def _names(service: GuestsService, caller: Caller) -> list[tuple[str, str]]:
    found = await service.list_properties(ListPropertiesRequest(), caller)
    return [(p.enterprise_id, p.name) for p in found.items]


async def test_a_newer_version_replaces_an_older_one_never_the_reverse(
    service: GuestsService,
) -> None:
    first = command(hotel(name="Old name"))
    assert await service.upsert_property(first, consumer=C) is Applied.APPLIED
    assert await service.upsert_property(first, consumer=C) is Applied.DUPLICATE
    renamed = command(hotel(name="New name", mews_updated_utc=T0 + timedelta(hours=1)))
    assert await service.upsert_property(renamed, consumer=C) is Applied.APPLIED
    older = command(hotel(name="Older name", mews_updated_utc=T0 - timedelta(days=1)))
    assert await service.upsert_property(older, consumer=C) is Applied.STALE
    # The same UpdatedUtc (whole seconds), other content, read later: the newer one.
    same_second = hotel(name="Same second", mews_updated_utc=T0 + timedelta(hours=1))
    later = T0 + timedelta(minutes=5)
    assert await service.upsert_property(command(same_second, later), consumer=C) is Applied.APPLIED
    # Read again, unchanged: nothing new.
    again = command(same_second, later + timedelta(minutes=15))
    assert await service.upsert_property(again, consumer=C) is Applied.STALE

    [view] = (await service.list_properties(ListPropertiesRequest(), STAFF)).items
    assert (view.name, view.time_zone, view.default_currency, view.pricing) == (
        "Same second", NEW_YORK, "USD", "net",
    )  # fmt: skip
    assert (view.currencies, view.city, view.mews_updated_utc) == (
        ("USD", "EUR"), "Washington", T0 + timedelta(hours=1),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("prop", "enterprise", "reason"),
    [
        (hotel(time_zone="Mars/Olympus"), ENT, "unknown time zone"),
        (hotel(OTHER_ENT), ENT, "not the command's"),
        (hotel("a.b"), "a.b", "single subject token"),
    ],
)
async def test_a_hotel_that_cannot_be_right_is_refused(
    service: GuestsService, prop: PropertySnapshot, enterprise: str, reason: str
) -> None:
    with pytest.raises(Invalid, match=reason):
        await service.upsert_property(command(prop, enterprise_id=enterprise), consumer=C)
    assert await _names(service, STAFF) == []


async def test_list_properties_answers_the_callers_hotels_only(service: GuestsService) -> None:
    for enterprise, name in ((ENT, "Zephyr"), (OTHER_ENT, "Anchor"), ("ent-3", "Harbour")):
        await service.upsert_property(command(hotel(enterprise, name=name)), consumer=C)
    # Portfolio-wide: every known hotel, by name.
    assert await _names(service, STAFF) == [
        (OTHER_ENT, "Anchor"), ("ent-3", "Harbour"), (ENT, "Zephyr"),
    ]  # fmt: skip
    assert await _names(service, caller_of(ENT)) == [(ENT, "Zephyr")]
    assert await _names(service, caller_of(ENT, "ent-3")) == [("ent-3", "Harbour"), (ENT, "Zephyr")]
    vendor = Caller(user_id="u-v", role=UserRole.VENDOR, vendor_id="v-1", enterprise_ids=(ENT,))
    assert await _names(service, vendor) == [(ENT, "Zephyr")]
    # A vendor user without a property acts for none.
    assert await _names(service, caller_of()) == []


async def test_a_day_list_without_a_zone_is_the_hotels_day(service: GuestsService) -> None:
    """21:00 on 1 March in New York is 02:00 on 2 March in UTC: the hotel's arrival of the
    1st, and in UTC one of the 2nd."""
    evening = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    arriving = stay(
        "r-evening",
        state=StayState.CONFIRMED,
        scheduled_start_utc=evening,
        scheduled_end_utc=evening + timedelta(days=2),
    )
    await service.upsert_stay(upsert_stay(arriving), consumer="guests-test")
    first, second = date(2026, 3, 1), date(2026, 3, 2)

    async def arrivals(day: date, timezone: str | None = None, who: Caller = STAFF) -> Any:
        request = DayStaysRequest(enterprise_id=ENT, date=day, timezone=timezone)
        return await service.arrivals(request, who)

    # The hotel is not known yet: UTC.
    page = await arrivals(first)
    assert (page.timezone, [s.mews_id for s in page.items]) == ("UTC", [])
    assert [s.mews_id for s in (await arrivals(second)).items] == ["r-evening"]

    await service.upsert_property(command(hotel()), consumer=C)
    page = await arrivals(first)
    assert page.timezone == NEW_YORK
    assert [s.mews_id for s in page.items] == ["r-evening"]
    assert page.window_start_utc == datetime(2026, 3, 1, 5, 0, tzinfo=UTC)  # local midnight
    assert [s.mews_id for s in (await arrivals(second)).items] == []
    # A zone the caller names is still the one used.
    utc = await arrivals(second, "UTC")
    assert (utc.timezone, [s.mews_id for s in utc.items]) == ("UTC", ["r-evening"])
    # Another property's staff learn nothing of this one, not even its zone.
    other = await arrivals(first, who=caller_of(OTHER_ENT))
    assert (other.items, other.timezone) == ((), "UTC")


async def test_a_room_search_without_a_zone_is_for_the_hotels_today(
    service: GuestsService, clock: Clock
) -> None:
    """20:00 on 1 March in UTC is 05:00 on 2 March in Tokyo: a guest due in at 14:00 there
    (05:00 UTC on the 2nd) arrives on the hotel's today, and on UTC's tomorrow."""
    clock.now = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    kei = guest("c-kei", first_name="Kei", last_name="Sato")
    await service.upsert_guest(upsert_guest(kei), consumer="guests-test")
    due_in = stay(
        "r-kei",
        state=StayState.CONFIRMED,
        owner_mews_id="c-kei",
        resource_name="808",
        scheduled_start_utc=datetime(2026, 3, 2, 5, 0, tzinfo=UTC),
        scheduled_end_utc=datetime(2026, 3, 4, 1, 0, tzinfo=UTC),
    )
    await service.upsert_stay(upsert_stay(due_in), consumer="guests-test")

    async def in_room(timezone: str | None = None, who: Caller = STAFF) -> list[str]:
        request = SearchGuestsRequest(enterprise_id=ENT, query="808", timezone=timezone)
        return [g.last_name for g in (await service.search(request, who)).items]

    # The hotel is not known yet: UTC's today (1 March), when Kei is not due yet.
    assert await in_room() == []
    tokyo = hotel(time_zone="Asia/Tokyo", default_currency="JPY", currencies=("JPY",))
    await service.upsert_property(command(tokyo), consumer=C)
    assert await in_room() == ["Sato"]
    # A zone the caller names is still the one used.
    assert await in_room("UTC") == []
    assert await in_room("Asia/Tokyo") == ["Sato"]
    # Another property's staff find nobody here, whatever the zone.
    assert await in_room(who=caller_of(OTHER_ENT)) == []
    with pytest.raises(Invalid):
        await in_room("Mars/Olympus", who=caller_of(OTHER_ENT))


async def test_a_hotel_from_the_stream_is_listed_for_its_staff_over_nats(running: Running) -> None:
    prop = hotel(name="Connector API Hotel (Net Pricing)")
    sent = command(prop, command_id="property:ent-1:v1")
    await running.js.publish(
        UPSERT_PROPERTY.template, msgspec.json.encode(sent), headers={"Nats-Msg-Id": "p-1"}
    )
    staff = caller_of(ENT)

    async def listed() -> Any:
        found = await call(running.nc, LIST_PROPERTIES, ListPropertiesRequest(), caller=staff)
        return found.items or None

    [view] = await eventually(listed, what="the hotel listed")
    assert (view.enterprise_id, view.name, view.time_zone) == (ENT, prop.name, NEW_YORK)
    others = await call(
        running.nc, LIST_PROPERTIES, ListPropertiesRequest(), caller=caller_of(OTHER_ENT)
    )
    assert others.items == ()
    # The day lists now take the hotel's zone when none is asked for.
    page = await call(
        running.nc, ARRIVALS, DayStaysRequest(enterprise_id=ENT, date=T0.date()), caller=staff
    )
    assert page.timezone == NEW_YORK
