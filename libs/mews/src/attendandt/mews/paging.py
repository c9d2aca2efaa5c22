"""Cursor paging: send ``Limitation``, follow ``Cursor`` until it is null or a page is short.

Mews returns newest items first; ``Cursor`` is the id of the last (oldest) item of the page and is
sent back as ``Limitation.Cursor`` for the next, older page.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Generic, Protocol, TypeVar

from .errors import MewsTimeout
from .models.common import MewsRequest

logger = logging.getLogger("attendandt.mews")

MAX_PAGE_SIZE = 1000
MIN_ADAPTIVE_PAGE_SIZE = 25

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
P = TypeVar("P", bound="CursorPage")


class CursorPage(Protocol):
    @property
    def cursor(self) -> str | None: ...


class Limitation(MewsRequest):
    """``{"Count": 1..1000, "Cursor": <id>}``; no ``Cursor`` means start from the newest."""

    count: int
    cursor: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.count <= MAX_PAGE_SIZE:
            raise ValueError(f"Limitation.Count must be 1..{MAX_PAGE_SIZE}, got {self.count}")


def check_page_size(page_size: int) -> int:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}, got {page_size}")
    return page_size


async def iterate_pages(
    fetch: Callable[[Limitation], Awaitable[P]],
    items_of: Callable[[P], Sequence[T] | None],
    *,
    page_size: int = MAX_PAGE_SIZE,
    shrink_on_timeout: bool = True,
    limit: int | None = None,
) -> AsyncIterator[list[T]]:
    """Yield the items of every page of one request, oldest pages last.

    A 408 that outlasted the client's retries halves ``Count`` for that page (down to
    ``MIN_ADAPTIVE_PAGE_SIZE``) before giving up, as Mews advises for heavy reads.
    ``limit``: stop once that many items came (a request by ids gets one item per id).
    """
    count = check_page_size(page_size)
    cursor: str | None = None
    seen = 0
    while True:
        try:
            page = await fetch(Limitation(count=count, cursor=cursor))
        except MewsTimeout:
            if not shrink_on_timeout or count <= MIN_ADAPTIVE_PAGE_SIZE:
                raise
            count = max(MIN_ADAPTIVE_PAGE_SIZE, count // 2)
            logger.warning("Mews read timed out; retrying the page with Count=%d", count)
            continue
        items = list(items_of(page) or ())
        seen += len(items)
        if items:
            yield items
        if page.cursor is None or len(items) < count or (limit is not None and seen >= limit):
            return
        cursor = page.cursor


class Paged(Generic[T_co]):
    """The result of a paged read: iterate it for items, ``pages()`` for lists, or ``collect()``.

    Nothing is requested until iteration starts; iterating twice runs the queries twice.
    """

    def __init__(self, pages: Callable[[], AsyncIterator[list[T_co]]]) -> None:
        self._pages = pages

    def pages(self) -> AsyncIterator[list[T_co]]:
        return self._pages()

    def __aiter__(self) -> AsyncIterator[T_co]:
        return self._items()

    async def _items(self) -> AsyncIterator[T_co]:
        async for page in self._pages():
            for item in page:
                yield item

    async def collect(self) -> list[T_co]:
        return [item async for item in self]


__all__ = [
    "MAX_PAGE_SIZE",
    "CursorPage",
    "Limitation",
    "Paged",
    "check_page_size",
    "iterate_pages",
]
