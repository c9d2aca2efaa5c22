"""Reservations, the customers on them (companionships) and their notes."""

from __future__ import annotations

from ..models.companionships import Companionship, CompanionshipsGetAll, CompanionshipsPage
from ..models.reservations import Reservation, ReservationsGetAll, ReservationsPage
from ..models.service_order_notes import (
    ServiceOrderNote,
    ServiceOrderNotesAdd,
    ServiceOrderNotesGetAll,
    ServiceOrderNotesPage,
    ServiceOrderNotesResult,
    ServiceOrderNotesUpdate,
)
from ..paging import Paged
from .paged_read import _K, PagedClient, PagedOperation

RESERVATIONS_GET_ALL: PagedOperation[ReservationsGetAll, ReservationsPage, Reservation] = (
    PagedOperation(
        "reservations/getAll/2023-06-06",
        ReservationsPage,
        lambda page: page.reservations,
        {
            "enterprise_ids": _K,
            "reservation_ids": _K,
            "service_ids": _K,
            "reservation_group_ids": _K,
            "account_ids": _K,
            "partner_company_ids": 100,
            "travel_agency_ids": 100,
            "numbers": _K,
            "channel_numbers": 100,
            "assigned_resource_ids": _K,
            "availability_block_ids": 100,
        },
        (
            "created_utc",
            "updated_utc",
            "colliding_utc",
            "scheduled_start_utc",
            "actual_start_utc",
            "scheduled_end_utc",
            "actual_end_utc",
        ),
        overlapping_intervals=("colliding_utc",),
    )
)
COMPANIONSHIPS_GET_ALL: PagedOperation[CompanionshipsGetAll, CompanionshipsPage, Companionship] = (
    PagedOperation(
        "companionships/getAll",
        CompanionshipsPage,
        lambda page: page.companionships,
        {
            "enterprise_ids": _K,
            "companionship_ids": _K,
            "customer_ids": _K,
            "reservation_ids": _K,
            "reservation_group_ids": _K,
        },
        ("updated_utc",),
    )
)
SERVICE_ORDER_NOTES_GET_ALL: PagedOperation[
    ServiceOrderNotesGetAll, ServiceOrderNotesPage, ServiceOrderNote
] = PagedOperation(
    "serviceOrderNotes/getAll",
    ServiceOrderNotesPage,
    lambda page: page.service_order_notes,
    {"enterprise_ids": _K, "service_order_ids": _K, "service_order_note_ids": _K},
    ("updated_utc",),
)


class ReservationOperations(PagedClient):
    """Reads of reservations and companionships; reads and writes of their notes."""

    def get_reservations(
        self, request: ReservationsGetAll, *, page_size: int | None = None
    ) -> Paged[Reservation]:
        """``reservations/getAll/2023-06-06``."""
        return self.paged(RESERVATIONS_GET_ALL, request, page_size=page_size)

    def get_companionships(
        self, request: CompanionshipsGetAll, *, page_size: int | None = None
    ) -> Paged[Companionship]:
        """``companionships/getAll``: the customers on reservations (by ``ReservationIds``,
        ``CustomerIds``, ...; id lists split per 1000)."""
        return self.paged(COMPANIONSHIPS_GET_ALL, request, page_size=page_size)

    def get_service_order_notes(
        self, request: ServiceOrderNotesGetAll, *, page_size: int | None = None
    ) -> Paged[ServiceOrderNote]:
        """``serviceOrderNotes/getAll``: the notes of reservations or orders
        (``ServiceOrderIds`` split per 1000)."""
        return self.paged(SERVICE_ORDER_NOTES_GET_ALL, request, page_size=page_size)

    async def add_service_order_notes(
        self, request: ServiceOrderNotesAdd
    ) -> list[ServiceOrderNote]:
        """``serviceOrderNotes/add`` (write: never retried; may raise ``MewsOutcomeUnknown``)."""
        result = await self.call(
            "serviceOrderNotes/add", request, ServiceOrderNotesResult, write=True
        )
        return result.service_order_notes or []

    async def update_service_order_notes(
        self, request: ServiceOrderNotesUpdate
    ) -> list[ServiceOrderNote]:
        """``serviceOrderNotes/update`` (write: never retried; may raise
        ``MewsOutcomeUnknown``)."""
        result = await self.call(
            "serviceOrderNotes/update", request, ServiceOrderNotesResult, write=True
        )
        return result.service_order_notes or []
