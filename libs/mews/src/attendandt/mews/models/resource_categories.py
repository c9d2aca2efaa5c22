"""``resourceCategories/getAll`` and ``resourceCategoryAssignments/getAll``: room types and
which rooms belong to them (the deprecated ``resources/getAll`` extents are not used)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from .common import MewsModel, MewsRequest, TimeInterval


class ResourceCategoryType:
    """Known values (Mews may add more)."""

    ROOM: Final = "Room"
    BED: Final = "Bed"
    DORM: Final = "Dorm"
    APARTMENT: Final = "Apartment"
    SUITE: Final = "Suite"
    VILLA: Final = "Villa"
    SITE: Final = "Site"
    OFFICE: Final = "Office"
    MEETING_ROOM: Final = "MeetingRoom"
    PARKING_SPOT: Final = "ParkingSpot"


class ResourceCategory(MewsModel):
    """A room type of a (bookable) service. ``Names`` is localized: ``{"en-US": "Suite"}``."""

    id: str
    enterprise_id: str | None = None
    service_id: str | None = None
    is_active: bool | None = None
    type: str | None = None
    classification: str | None = None
    names: dict[str, str] | None = None
    short_names: dict[str, str] | None = None
    descriptions: dict[str, str] | None = None
    ordering: int | None = None
    capacity: int | None = None
    extra_capacity: int | None = None
    external_identifier: str | None = None
    accounting_category_id: str | None = None


class ResourceCategoriesGetAll(MewsRequest):
    """``ServiceIds`` is required by Mews (at most 1000, split by the client); the other
    filters narrow it. ``UpdatedUtc`` at most 3 months (windowed by the client)."""

    service_ids: list[str]
    enterprise_ids: list[str] | None = None
    resource_category_ids: list[str] | None = None
    updated_utc: TimeInterval | None = None
    activity_states: list[str] | None = None


class ResourceCategoriesPage(MewsModel):
    resource_categories: list[ResourceCategory] | None = None
    cursor: str | None = None


class ResourceCategoryAssignment(MewsModel):
    """A room (``ResourceId``) in a category (``CategoryId``). ``IsActive`` is false when the
    assignment or its category was deleted."""

    id: str
    resource_id: str | None = None
    category_id: str | None = None
    is_active: bool | None = None
    created_utc: datetime | None = None
    updated_utc: datetime | None = None


class ResourceCategoryAssignmentsGetAll(MewsRequest):
    """``ResourceCategoryIds`` is required by Mews (at most 1000, split by the client);
    ``ResourceIds`` (at most 1000) and the others narrow it."""

    resource_category_ids: list[str]
    enterprise_ids: list[str] | None = None
    resource_category_assignment_ids: list[str] | None = None
    resource_ids: list[str] | None = None
    updated_utc: TimeInterval | None = None
    activity_states: list[str] | None = None


class ResourceCategoryAssignmentsPage(MewsModel):
    resource_category_assignments: list[ResourceCategoryAssignment] | None = None
    cursor: str | None = None


__all__ = [
    "ResourceCategoriesGetAll",
    "ResourceCategoriesPage",
    "ResourceCategory",
    "ResourceCategoryAssignment",
    "ResourceCategoryAssignmentsGetAll",
    "ResourceCategoryAssignmentsPage",
    "ResourceCategoryType",
]
