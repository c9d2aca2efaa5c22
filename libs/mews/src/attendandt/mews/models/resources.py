"""``resources/getAll``."""

from __future__ import annotations

from datetime import datetime
from typing import Final

import msgspec

from .common import Coproduct, MewsModel, MewsRequest, TimeInterval


class ResourceState:
    DIRTY: Final = "Dirty"
    CLEAN: Final = "Clean"
    INSPECTED: Final = "Inspected"
    OUT_OF_SERVICE: Final = "OutOfService"
    OUT_OF_ORDER: Final = "OutOfOrder"


class ResourceDataDiscriminator:
    SPACE: Final = "Space"
    OBJECT: Final = "Object"
    PERSON: Final = "Person"


class Resource(MewsModel):
    """A room or other bookable thing.

    Rooms have ``Data.Discriminator == "Space"`` and ``Data.Value {FloorNumber, LocationNotes}``.
    """

    id: str
    enterprise_id: str | None = None
    is_active: bool | None = None
    parent_resource_id: str | None = None
    name: str | None = None
    state: str | None = None
    descriptions: dict[str, str] | None = None
    external_names: dict[str, str] | None = None
    directions: dict[str, str] | None = None
    created_utc: datetime | None = None
    updated_utc: datetime | None = None
    data: Coproduct | None = None


class ResourceExtent(msgspec.Struct, rename="pascal", kw_only=True):
    """Which resources ``resources/getAll`` returns; both flags are always sent."""

    resources: bool = True
    inactive: bool = False


class ResourcesGetAll(MewsRequest):
    extent: ResourceExtent = msgspec.field(default_factory=ResourceExtent)
    enterprise_ids: list[str] | None = None
    resource_ids: list[str] | None = None
    names: list[str] | None = None
    created_utc: TimeInterval | None = None
    updated_utc: TimeInterval | None = None


class ResourcesPage(MewsModel):
    resources: list[Resource] | None = None
    cursor: str | None = None


__all__ = [
    "Resource",
    "ResourceDataDiscriminator",
    "ResourceExtent",
    "ResourceState",
    "ResourcesGetAll",
    "ResourcesPage",
]
