"""``PagedOperation`` and the generic paged read every family of operations builds on.

A paged read returns a ``Paged`` result (async-iterable of items) that splits the request at the
documented id and time-interval limits and follows cursors; nothing is sent until iteration.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

import msgspec

from ..batching import expand
from ..client import BaseMewsClient
from ..paging import (
    CursorPage,
    Limitation,
    Paged,
    check_page_size,
    iterate_pages,
)


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


RequestT = TypeVar("RequestT", bound=msgspec.Struct)
PageT = TypeVar("PageT", bound=CursorPage)
ItemT = TypeVar("ItemT", bound=_HasId)

_K = 1000


@dataclass(frozen=True)
class PagedOperation(Generic[RequestT, PageT, ItemT]):
    """What the client must know to page and split one ``getAll`` operation."""

    path: str
    page_type: type[PageT]
    items: Callable[[PageT], Sequence[ItemT] | None]
    id_limits: Mapping[str, int] = field(default_factory=dict)
    interval_fields: tuple[str, ...] = ()
    # Interval filters matched by intersection (not by a single instant): an entity may match
    # two adjacent windows, so results of a split request are de-duplicated by Id.
    overlapping_intervals: tuple[str, ...] = ()

    @property
    def identity_field(self) -> str | None:
        """The filter naming entities by their own id: at most one item comes back per id."""
        return _IDENTITY_FIELDS.get(self.path)


_IDENTITY_FIELDS = {
    "enterprises/getAll": "enterprise_ids",
    "customers/getAll": "customer_ids",
    "companies/getAll": "ids",
    "reservations/getAll/2023-06-06": "reservation_ids",
    "resources/getAll": "resource_ids",
    "resourceCategories/getAll": "resource_category_ids",
    "resourceCategoryAssignments/getAll": "resource_category_assignment_ids",
    "services/getAll": "service_ids",
    "products/getAll": "product_ids",
    "orderItems/getAll": "order_item_ids",
    "bills/getAll": "bill_ids",
    "payments/getAll": "payment_ids",
    "productServiceOrders/getAll": "product_service_order_ids",
    "companionships/getAll": "companionship_ids",
    "serviceOrderNotes/getAll": "service_order_note_ids",
}


class PagedClient(BaseMewsClient):
    """The transport with the generic paged read; each family of operations extends it."""

    def paged(
        self,
        operation: PagedOperation[RequestT, PageT, ItemT],
        request: RequestT,
        *,
        page_size: int | None = None,
    ) -> Paged[ItemT]:
        """Split ``request`` at the operation's limits and page through every part in turn."""
        size = check_page_size(page_size if page_size is not None else self.page_size)
        parts = expand(
            request,
            id_limits=operation.id_limits,
            interval_fields=operation.interval_fields,
            max_months=self.max_interval_months,
        )
        dedupe = len(parts) > 1 and any(
            getattr(part, name) != getattr(request, name)
            for part in parts
            for name in operation.overlapping_intervals
        )

        async def pages() -> AsyncIterator[list[ItemT]]:
            seen: set[str] = set()
            for part in parts:

                async def fetch(limitation: Limitation, part: RequestT = part) -> PageT:
                    return await self.call(
                        operation.path,
                        part,
                        operation.page_type,
                        extra={"Limitation": msgspec.to_builtins(limitation)},
                    )

                # Every requested id came back: no further page can hold anything, so the
                # empty page the Cursor rule would ask for next is not requested.
                named = getattr(part, operation.identity_field or "", None)
                limit = len(named) if named else None
                async for page in iterate_pages(
                    fetch, operation.items, page_size=size, limit=limit
                ):
                    if not dedupe:
                        yield page
                        continue
                    fresh = [item for item in page if item.id not in seen]
                    seen.update(item.id for item in fresh)
                    if fresh:
                        yield fresh

        return Paged(pages)
