"""``companionships/getAll``: who stays on which reservation besides its owner."""

from __future__ import annotations

import msgspec

from .common import MewsModel, MewsRequest, TimeInterval


class Companionship(MewsModel):
    """One customer on one reservation (or reservation group).

    Mews marks ``CustomerId`` and ``ReservationGroupId`` required and ``ReservationId``
    optional; all but ``Id`` are optional here so a sparse answer still decodes.
    """

    id: str
    customer_id: str | None = None
    reservation_group_id: str | None = None
    reservation_id: str | None = None


class CompanionshipExtent(msgspec.Struct, rename="pascal", kw_only=True):
    """Which related collections come back beside the companionships (required by Mews;
    all three flags are always sent). Sync fetches customers separately, by id."""

    reservations: bool = False
    reservation_groups: bool = False
    customers: bool = False


class CompanionshipsGetAll(MewsRequest):
    """Filters of ``companionships/getAll``: one of ``CompanionshipIds``, ``CustomerIds``,
    ``ReservationIds`` or ``ReservationGroupIds`` is required; ``UpdatedUtc`` only with one
    of them."""

    extent: CompanionshipExtent = msgspec.field(default_factory=CompanionshipExtent)
    enterprise_ids: list[str] | None = None
    companionship_ids: list[str] | None = None
    customer_ids: list[str] | None = None
    reservation_ids: list[str] | None = None
    reservation_group_ids: list[str] | None = None
    updated_utc: TimeInterval | None = None


class CompanionshipsPage(MewsModel):
    companionships: list[Companionship] | None = None
    cursor: str | None = None


__all__ = [
    "Companionship",
    "CompanionshipExtent",
    "CompanionshipsGetAll",
    "CompanionshipsPage",
]
