"""``reservations/getAll/2023-06-06``."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from .common import MewsModel, MewsRequest, TimeInterval


class ServiceOrderState:
    INQUIRED: Final = "Inquired"
    CONFIRMED: Final = "Confirmed"
    STARTED: Final = "Started"
    PROCESSED: Final = "Processed"
    CANCELED: Final = "Canceled"
    OPTIONAL: Final = "Optional"
    REQUESTED: Final = "Requested"
    # Legacy (ver 2017-04-12) spelling of Inquired, still seen on older channels.
    ENQUIRED: Final = "Enquired"


class ServiceOrderOrigin:
    DISTRIBUTOR: Final = "Distributor"
    CHANNEL_MANAGER: Final = "ChannelManager"
    COMMANDER: Final = "Commander"
    IMPORT: Final = "Import"
    CONNECTOR: Final = "Connector"
    NAVIGATOR: Final = "Navigator"


class ReservationPurpose:
    LEISURE: Final = "Leisure"
    BUSINESS: Final = "Business"
    STUDENT: Final = "Student"


class ReservationOptions(MewsModel):
    owner_checked_in: bool | None = None
    all_companions_checked_in: bool | None = None
    any_companion_checked_in: bool | None = None
    connector_check_in: bool | None = None


class PersonCount(MewsModel):
    age_category_id: str | None = None
    count: int | None = None


class Reservation(MewsModel):
    """``Reservation (ver 2023-06-06)``. ``AccountId`` is the owner (main guest or company)."""

    id: str
    service_id: str | None = None
    account_id: str | None = None
    account_type: str | None = None
    creator_profile_id: str | None = None
    updater_profile_id: str | None = None
    booker_id: str | None = None
    number: str | None = None
    state: str | None = None
    origin: str | None = None
    commander_origin: str | None = None
    origin_details: str | None = None
    created_utc: datetime | None = None
    updated_utc: datetime | None = None
    cancelled_utc: datetime | None = None
    voucher_id: str | None = None
    business_segment_id: str | None = None
    options: ReservationOptions | None = None
    rate_id: str | None = None
    credit_card_id: str | None = None
    group_id: str | None = None
    requested_resource_category_id: str | None = None
    assigned_resource_id: str | None = None
    availability_block_id: str | None = None
    partner_company_id: str | None = None
    travel_agency_id: str | None = None
    assigned_resource_locked: bool | None = None
    channel_number: str | None = None
    channel_manager_number: str | None = None
    cancellation_reason: str | None = None
    released_utc: datetime | None = None
    scheduled_start_utc: datetime | None = None
    actual_start_utc: datetime | None = None
    scheduled_end_utc: datetime | None = None
    actual_end_utc: datetime | None = None
    purpose: str | None = None
    qr_code_data: str | None = None
    person_counts: list[PersonCount] | None = None
    # Deprecated by Mews, still emitted.
    start_utc: datetime | None = None
    end_utc: datetime | None = None


class ReservationsGetAll(MewsRequest):
    """Filters of ``reservations/getAll/2023-06-06``.

    ``ScheduledStartUtc`` and ``ActualStartUtc`` are mutually exclusive, as are the two end filters.
    """

    enterprise_ids: list[str] | None = None
    reservation_ids: list[str] | None = None
    service_ids: list[str] | None = None
    reservation_group_ids: list[str] | None = None
    account_ids: list[str] | None = None
    partner_company_ids: list[str] | None = None
    travel_agency_ids: list[str] | None = None
    numbers: list[str] | None = None
    channel_numbers: list[str] | None = None
    assigned_resource_ids: list[str] | None = None
    availability_block_ids: list[str] | None = None
    created_utc: TimeInterval | None = None
    updated_utc: TimeInterval | None = None
    colliding_utc: TimeInterval | None = None
    scheduled_start_utc: TimeInterval | None = None
    actual_start_utc: TimeInterval | None = None
    scheduled_end_utc: TimeInterval | None = None
    actual_end_utc: TimeInterval | None = None
    states: list[str] | None = None


class ReservationsPage(MewsModel):
    reservations: list[Reservation] | None = None
    cursor: str | None = None


__all__ = [
    "PersonCount",
    "Reservation",
    "ReservationOptions",
    "ReservationPurpose",
    "ReservationsGetAll",
    "ReservationsPage",
    "ServiceOrderOrigin",
    "ServiceOrderState",
]
