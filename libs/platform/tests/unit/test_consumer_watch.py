"""Readiness follows the consumers' tasks; a consumer that ended stops the process."""

import asyncio

import pytest

from attendandt.platform.health import ConsumerEnded, ConsumerWatch


async def test_a_task_that_returned_is_dead_and_the_guard_stops_the_process() -> None:
    watch = ConsumerWatch(interval_s=0.01)
    release = asyncio.Event()
    task = watch.watch("changes", asyncio.create_task(release.wait()))
    assert watch.readiness() == {"consumers": True}
    watch.raise_if_ended()  # nothing ended yet

    release.set()  # the loop returns, as one that swallowed its stop would
    await task
    assert watch.readiness() == {"consumers": False}
    stop = asyncio.Event()
    await asyncio.wait_for(watch.guard(stop), 30)
    assert stop.is_set()
    with pytest.raises(ConsumerEnded, match="changes"):
        watch.raise_if_ended()


async def test_a_stop_asked_for_is_no_failure() -> None:
    watch = ConsumerWatch()
    stop = asyncio.Event()
    watch.watch("changes", asyncio.create_task(stop.wait()))
    guard = asyncio.create_task(watch.guard(stop))
    stop.set()
    await asyncio.wait_for(guard, 30)
    watch.raise_if_ended()


async def test_a_cancelled_consumer_is_dead_and_readiness_stays_failed_while_stopping() -> None:
    cancelled = asyncio.create_task(asyncio.Event().wait())
    cancelled.cancel()
    await asyncio.wait({cancelled})
    watch = ConsumerWatch(interval_s=0.01)
    watch.watch("d", cancelled)
    assert watch.dead() == ["d"]
    stop = asyncio.Event()
    await asyncio.wait_for(watch.guard(stop), 30)
    assert stop.is_set()
    assert watch.readiness() == {"consumers": False}


async def test_the_guard_first_looks_one_interval_after_start() -> None:
    watch = ConsumerWatch(interval_s=3600)
    watch.watch("changes", asyncio.create_task(asyncio.sleep(0)))
    stop = asyncio.Event()
    guard = asyncio.create_task(watch.guard(stop))
    await asyncio.sleep(0.05)  # the task ended; the guard has not looked yet
    assert watch.readiness() == {"consumers": False}
    assert not guard.done()
    stop.set()
    await asyncio.wait_for(guard, 30)
    watch.raise_if_ended()  # it never looked: nothing recorded
