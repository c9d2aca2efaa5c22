"""A room's type (Mews resource category) by name on its UpsertRoom: in the hotel's own
language, from the room types read once and the pass's own rooms' assignments; without it
when Mews refuses those reads."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from nats.js import JetStreamContext
from sync_support import all_commands

from attendandt.contracts.mews import MewsEntity
from attendandt.contracts.streams import ensure_streams
from attendandt.mews import Credentials, MewsClient
from attendandt.mews.models import (
    ResourceCategoriesGetAll,
    ResourceCategory,
    ResourceCategoryAssignment,
    ResourceCategoryAssignmentsGetAll,
    ServicesGetAll,
    ServiceType,
)
from attendandt.sync.applier import Applier
from attendandt.sync.room_categories import ASSIGNMENTS, CATEGORIES, room_category_names

# --- which name (pure) -----------------------------------------------------------------------


def _category(id: str, names: dict[str, str] | None, **fields: Any) -> ResourceCategory:
    return ResourceCategory(id=id, names=names, **fields)


def _in(room: str, category: str, **fields: Any) -> ResourceCategoryAssignment:
    return ResourceCategoryAssignment(
        id=f"{room}-{category}", resource_id=room, category_id=category, **fields
    )


def test_the_name_is_the_hotels_language_then_any() -> None:
    categories = [
        _category("c-dbl", {"fr-FR": "Double standard", "en-GB": "Standard Double"}),
        _category("c-ste", {"fr-FR": "Suite Riverside", "de-DE": "Riverside-Suite"}),
        _category("c-us", {"en-US": "Deluxe King", "en-GB": "Deluxe King (GB)"}),
        _category("c-none", {}),
    ]
    rooms = [_in("101", "c-dbl"), _in("102", "c-ste"), _in("103", "c-us"), _in("104", "c-none")]
    assert room_category_names(categories, rooms, "en-GB") == {
        "101": "Standard Double",
        # No name in the hotel's language (nor en-US, en-GB): the first language's, stably.
        "102": "Riverside-Suite",
        "103": "Deluxe King (GB)",
    }
    assert room_category_names(categories, rooms, "fr-FR")["101"] == "Double standard"
    # No language known: en-US first.
    assert room_category_names(categories, rooms, None)["103"] == "Deluxe King"


def test_deleted_types_and_assignments_do_not_count_and_the_choice_is_stable() -> None:
    categories = [
        _category("c-old", {"en-US": "Old Double"}, is_active=False),
        _category("c-day", {"en-US": "Day Use"}, ordering=5),
        _category("c-twin", {"en-US": "Twin"}, ordering=1),
    ]
    rooms = [
        _in("101", "c-old"),
        _in("102", "c-twin", is_active=False),
        # One room in the types of two services: the lowest Ordering, however Mews lists them.
        _in("103", "c-day"),
        _in("103", "c-twin"),
        _in("104", "c-unknown"),
    ]
    names = room_category_names(categories, rooms, "en-US")
    assert names == {"103": "Twin"}
    assert room_category_names(categories, list(reversed(rooms)), "en-US") == names


# --- a pass of rooms against the simulator -----------------------------------------------------


def _client(mews_sim: Any, enterprise: Any, **options: Any) -> MewsClient:
    token = enterprise.token
    return MewsClient(
        Credentials(client_token=token.client_token, access_token=token.access_token),
        environment=mews_sim.base_url,
        **options,
    )


async def _truth(client: MewsClient) -> tuple[list[str], dict[str, str]]:
    """Every room, and its type's name in the hotel's default language, read straight."""
    config = await client.get_configuration()
    assert config.enterprise is not None
    language = config.enterprise.default_language_code
    assert language
    bookable = await client.get_services(
        ServicesGetAll(service_type=ServiceType.BOOKABLE)
    ).collect()
    categories = await client.get_resource_categories(
        ResourceCategoriesGetAll(service_ids=[s.id for s in bookable])
    ).collect()
    rooms = [r.id for r in await client.get_resources().collect()]
    assignments = await client.get_resource_category_assignments(
        ResourceCategoryAssignmentsGetAll(resource_category_ids=[c.id for c in categories])
    ).collect()
    names = {c.id: (c.names or {})[language] for c in categories}
    return rooms, {a.resource_id or "": names[a.category_id or ""] for a in assignments}


def _requests(mews_sim: Any, operation: str) -> int:
    return int(mews_sim.control.counters()["requests_by_path"].get(operation, 0))


async def test_a_pass_of_rooms_names_each_rooms_type_in_its_hotels_language(
    mews_sim: Any, jetstream: JetStreamContext
) -> None:
    await ensure_streams(jetstream)
    mews_sim.control.rate_limit(enabled=False)
    for enterprise in (mews_sim.gross, mews_sim.net):
        async with _client(mews_sim, enterprise) as client:
            rooms, truth = await _truth(client)
            assert len(set(truth.values())) >= 3  # several types: the point here
            mews_sim.control.reset_counters()
            applier = Applier(client, enterprise.id, jetstream)
            first, rest = rooms[:3], rooms[3:]
            assert (await applier.apply(MewsEntity.RESOURCE, first)).applied == set(first)
            assert (await applier.apply(MewsEntity.RESOURCE, rest)).applied == set(rest)
            # The types are read once; each pass asks for its own rooms' assignments.
            assert _requests(mews_sim, CATEGORIES) == 1
            assert _requests(mews_sim, ASSIGNMENTS) == 2
        _, _, commands = await all_commands(jetstream)
        named = {c.room.mews_id: c.room.category_name for c in commands if c.room.mews_id in truth}
        assert named == truth
    # The two hotels name their own types: London in British English, Washington in American.
    assert {"Riverside Suite", "Capitol Suite"} <= {c.room.category_name for c in commands}


class Refusing(httpx.AsyncBaseTransport):
    """The simulator, but the room-type operations answer 401 (not permitted) while
    `refuse` is set."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.refuse = True
        self.refused = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.refuse and request.url.path.endswith(("/" + CATEGORIES, "/" + ASSIGNMENTS)):
            self.refused += 1
            return httpx.Response(401, json={"Message": "Operation not permitted."})
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_rooms_go_on_without_their_type_when_mews_refuses_it(
    mews_sim: Any, jetstream: JetStreamContext, caplog: pytest.LogCaptureFixture
) -> None:
    await ensure_streams(jetstream)
    mews_sim.control.rate_limit(enabled=False)
    caplog.set_level(logging.WARNING, logger="attendandt.sync")
    async with _client(mews_sim, mews_sim.gross) as straight:
        rooms, truth = await _truth(straight)
    transport = Refusing()
    async with _client(mews_sim, mews_sim.gross, transport=transport) as client:
        applier = Applier(client, mews_sim.gross.id, jetstream)
        assert (await applier.apply(MewsEntity.RESOURCE, rooms[:2])).applied == set(rooms[:2])
        assert (await applier.apply(MewsEntity.RESOURCE, rooms[2:4])).applied == set(rooms[2:4])
        assert transport.refused == 1  # not asked again soon, said once
        refusals = [r for r in caplog.records if "Mews refused" in r.getMessage()]
        assert len(refusals) == 1
        _, _, commands = await all_commands(jetstream)
        assert {c.room.mews_id for c in commands} == set(rooms[:4])
        assert all(c.room.category_name is None and c.room.name for c in commands)

        # Later (an hour in production) it is asked again; answered, the rooms get their type.
        applier.optional.retry_after_s = 0
        transport.refuse = False
        await applier.apply(MewsEntity.RESOURCE, rooms[:2])
        _, _, commands = await all_commands(jetstream)
        latest = {c.room.mews_id: c.room.category_name for c in commands}
        assert {room: latest[room] for room in rooms[:2]} == {r: truth[r] for r in rooms[:2]}
