"""Which room type each room is, by name (Mews resource categories), for the room snapshot.

Mews keeps the room types apart from the rooms: `resourceCategories/getAll` lists the types
of the hotel's bookable services (`ServiceIds` required), `resourceCategoryAssignments/getAll`
says which rooms are in which (`ResourceCategoryIds` required). The types are static
configuration: read with the hotel's default language and bookable services, and kept for
`refresh_s` (Mews asks integrations to cache such things and refresh them rarely). A pass of
rooms asks only for its own rooms' assignments (the client splits them per 1000).

Both reads are ones a pass can do without: when Mews refuses one, rooms go on without their
type (said once in the log, asked again later, as for companions and notes).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from attendandt.mews import MewsClient
from attendandt.mews.models import (
    ActivityState,
    ConfigurationGet,
    ResourceCategoriesGetAll,
    ResourceCategory,
    ResourceCategoryAssignment,
    ResourceCategoryAssignmentsGetAll,
    ServicesGetAll,
    ServiceType,
)
from attendandt.sync.localized import localized
from attendandt.sync.optional_reads import REFUSALS, OptionalReads

CATEGORIES = "resourceCategories/getAll"
ASSIGNMENTS = "resourceCategoryAssignments/getAll"


def room_category_names(
    categories: Iterable[ResourceCategory],
    assignments: Iterable[ResourceCategoryAssignment],
    language: str | None,
) -> dict[str, str]:
    """Room id → the name of its room type, in `language` (the hotel's default) or else in
    another (`localized`). Deleted categories and assignments do not count; a room in
    several types (of several services) gets the lowest `Ordering`, then the lowest id, so
    the choice does not depend on Mews's paging order."""
    named = {
        c.id: (c.ordering or 0, c.id, name)
        for c in categories
        if c.is_active is not False and (name := localized(c.names, language))
    }
    chosen: dict[str, tuple[int, str, str]] = {}
    for assignment in assignments:
        if assignment.is_active is False or not assignment.resource_id:
            continue
        candidate = named.get(assignment.category_id or "")
        if candidate is None:
            continue
        current = chosen.get(assignment.resource_id)
        if current is None or candidate < current:
            chosen[assignment.resource_id] = candidate
    return {room: name for room, (_, _, name) in chosen.items()}


@dataclass(frozen=True)
class _Types:
    """One read of a hotel's room types."""

    categories: tuple[ResourceCategory, ...]
    language: str | None
    read_at: float


class RoomCategories:
    """Room id → its room type's name, for one enterprise."""

    def __init__(
        self,
        client: MewsClient,
        enterprise_id: str,
        optional: OptionalReads,
        *,
        refresh_s: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.enterprise_id = enterprise_id
        self.optional = optional
        self.refresh_s = refresh_s
        self._clock = clock
        self._types: _Types | None = None

    async def names(self, resource_ids: Sequence[str]) -> dict[str, str]:
        """The rooms' type names; a room without a (known, named) type is left out."""
        if not resource_ids:
            return {}
        types = await self._room_types()
        if types is None or not types.categories or not self.optional.available(ASSIGNMENTS):
            return {}
        request = ResourceCategoryAssignmentsGetAll(
            resource_category_ids=sorted(c.id for c in types.categories),
            resource_ids=sorted(set(resource_ids)),
            activity_states=[ActivityState.ACTIVE],
        )
        try:
            assignments = await self.client.get_resource_category_assignments(request).collect()
        except REFUSALS as exc:
            self.optional.refused(ASSIGNMENTS, self.enterprise_id, exc)
            return {}
        self.optional.answered(ASSIGNMENTS)
        return room_category_names(types.categories, assignments, types.language)

    async def _room_types(self) -> _Types | None:
        """The hotel's room types, read again once `refresh_s` old; None when Mews refuses
        to list them (and no earlier read is kept)."""
        now = self._clock()
        if self._types is not None and now - self._types.read_at < self.refresh_s:
            return self._types
        if not self.optional.available(CATEGORIES):
            return self._types
        config = await self.client.get_configuration(
            ConfigurationGet(enterprise_id=self.enterprise_id)
        )
        language = config.enterprise.default_language_code if config.enterprise else None
        services = await self.client.get_services(
            ServicesGetAll(enterprise_ids=[self.enterprise_id], service_type=ServiceType.BOOKABLE)
        ).collect()
        categories: list[ResourceCategory] = []
        if services:
            request = ResourceCategoriesGetAll(
                service_ids=sorted(s.id for s in services),
                enterprise_ids=[self.enterprise_id],
                activity_states=[ActivityState.ACTIVE],
            )
            try:
                categories = await self.client.get_resource_categories(request).collect()
            except REFUSALS as exc:
                self.optional.refused(CATEGORIES, self.enterprise_id, exc)
                return self._types
            self.optional.answered(CATEGORIES)
        self._types = _Types(tuple(categories), language, now)
        return self._types
