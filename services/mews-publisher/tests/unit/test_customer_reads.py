"""The publisher's shared customer lookups, without I/O: which reads go out together, and
that a read is never answered by a request that left before it was asked."""

from __future__ import annotations

import asyncio

import pytest

from attendandt.mews import MewsBadRequest, MewsServerError
from attendandt.mews.models.customers import Customer
from attendandt.mews_publisher.customer_reads import CustomerReads


class FakeMews:
    """customers/getAll over a dict; each request waits for `release` when one is set."""

    def __init__(self, known: set[str], refused: frozenset[str] = frozenset()) -> None:
        self.known = known
        self.refused = refused
        self.requests: list[list[str]] = []
        self.release: asyncio.Event | None = None

    async def fetch(self, ids: list[str]) -> list[Customer]:
        self.requests.append(list(ids))
        if self.release is not None:
            await self.release.wait()
        if self.refused & set(ids):
            raise MewsBadRequest("Invalid CustomerIds.", status=400)
        return [Customer(id=i, last_name=f"Guest {i}") for i in ids if i in self.known]


async def test_reads_asked_together_go_in_one_request() -> None:
    mews = FakeMews({"a", "b", "c"})
    reads = CustomerReads()
    found = await asyncio.gather(*(reads.read("hotel", mews.fetch, i) for i in "abcd"))
    assert [c.id if c else None for c in found] == ["a", "b", "c", None]
    assert mews.requests == [["a", "b", "c", "d"]]


async def test_a_read_asked_while_a_request_is_out_waits_for_the_next_one() -> None:
    mews = FakeMews({"a", "b"})
    mews.release = asyncio.Event()
    reads = CustomerReads()
    first = asyncio.create_task(reads.read("hotel", mews.fetch, "a"))
    while not mews.requests:
        await asyncio.sleep(0.01)
    second = asyncio.create_task(reads.read("hotel", mews.fetch, "b"))
    again = asyncio.create_task(reads.read("hotel", mews.fetch, "a"))
    await asyncio.sleep(0.05)
    assert mews.requests == [["a"]]
    mews.release.set()
    assert [(await t) is not None for t in (first, second, again)] == [True, True, True]
    # "a" asked again after the first request left is read again, not answered by it.
    assert mews.requests == [["a"], ["b", "a"]]


async def test_a_request_never_carries_more_than_max_ids() -> None:
    mews = FakeMews({str(n) for n in range(7)})
    reads = CustomerReads(max_ids=3)
    await asyncio.gather(*(reads.read("hotel", mews.fetch, str(n)) for n in range(7)))
    assert [len(r) for r in mews.requests] == [3, 3, 1]


async def test_an_id_mews_refuses_fails_only_its_own_read() -> None:
    mews = FakeMews({"a", "b"}, refused={"bad"})
    reads = CustomerReads()
    found = await asyncio.gather(
        *(reads.read("hotel", mews.fetch, i) for i in ("a", "bad", "b")), return_exceptions=True
    )
    assert [c.id if isinstance(c, Customer) else c for c in found] == ["a", None, "b"]
    assert mews.requests[0] == ["a", "bad", "b"]


async def test_mews_unreachable_fails_every_read_of_the_request() -> None:
    async def down(ids: list[str]) -> list[Customer]:
        raise MewsServerError("Bad gateway", status=502)

    reads = CustomerReads()
    found = await asyncio.gather(
        *(reads.read("hotel", down, i) for i in "ab"), return_exceptions=True
    )
    assert all(isinstance(f, MewsServerError) for f in found)


async def test_reads_of_other_enterprises_go_separately() -> None:
    mews = FakeMews({"a", "b"})
    reads = CustomerReads()
    await asyncio.gather(reads.read("one", mews.fetch, "a"), reads.read("two", mews.fetch, "b"))
    assert sorted(mews.requests) == [["a"], ["b"]]


def test_max_ids_within_the_documented_limit() -> None:
    with pytest.raises(ValueError, match="between 1 and 1000"):
        CustomerReads(max_ids=1001)
