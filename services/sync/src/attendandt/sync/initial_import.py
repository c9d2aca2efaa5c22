"""The initial import of a property: what its front desk needs from the first day.

Every room (with its name and housekeeping state) first, then every reservation whose stay
collides with [today - 90 days, today + 365 days] (widened by a day each side; "today" in
UTC), whatever its UpdatedUtc: a confirmed booking untouched for months is still an arrival
to come. Reservations are read by Mews `CollidingUtc` in windows of at most three months (the
documented filter limit), page by page, and each page goes through the same batched pass as
live changes (`Applier.publish_reservations`: companions, notes, unknown owners and
companions, up to 1000 ids per call). Change notifications and sweeps keep the data current
from then on; both meet the import under last-write-wins.

Progress is one KV entry per property (`import.<enterprise>` in the sync KV bucket): its
state (pending, running, done, failed), windows done of total, reservations imported, when
it started and finished. sync runs the import once, on its first start for a property (no
entry yet), and resumes an unfinished one at its next start; `attendandt sync backfill
--initial` runs (or resumes) the same import by hand. The range is fixed when an import
begins, so a resumed import finishes what it began. A reservation colliding with two
windows is imported with the first. The days around today come first, as a window of their
own, so the day lists are right long before the whole range is in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import msgspec
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from attendandt.contracts.kv import ImportState
from attendandt.mews import TimeInterval
from attendandt.mews.batching import split_interval
from attendandt.mews.models import Reservation, ReservationsGetAll, ResourceExtent, ResourcesGetAll
from attendandt.platform.logging import redact_text
from attendandt.sync.applier import Applier
from attendandt.sync.backpressure import Pace

log = logging.getLogger(__name__)

PAST = timedelta(days=90)
FUTURE = timedelta(days=365)
#: The range is widened by this on each side: "today" is UTC's, not the hotel's.
MARGIN = timedelta(days=1)
WINDOW_MONTHS = 3


@dataclass(frozen=True)
class ImportProgress:
    windows_done: int
    windows: int
    reservations: int
    resumed: bool


Progress = Callable[[ImportProgress], Awaitable[None] | None]


def import_range(now: datetime) -> tuple[datetime, datetime]:
    """[today - 90 days - 1 day, the end of today + 365 days + 1 day), in UTC."""
    today = datetime.combine(now.astimezone(UTC).date(), time(0), tzinfo=UTC)
    return today - PAST - MARGIN, today + timedelta(days=1) + FUTURE + MARGIN


def front_desk_window(start: datetime) -> TimeInterval:
    """The days around the import's today (yesterday to the end of tomorrow, in UTC, so
    every hotel's local today is inside): imported first, so the front desk's day lists
    are right within a minute while the months around them are still coming in."""
    today = start + PAST + MARGIN
    return TimeInterval(start_utc=today - MARGIN, end_utc=today + 2 * MARGIN)


def import_windows(start: datetime, end: datetime) -> list[TimeInterval]:
    """The front desk's window, then the whole range in windows of at most three months."""
    months = split_interval(TimeInterval(start_utc=start, end_utc=end), max_months=WINDOW_MONTHS)
    return [front_desk_window(start), *months]


def key_of(enterprise_id: str) -> str:
    return f"import.{enterprise_id}"


async def read_state(kv: KeyValue, enterprise_id: str) -> ImportState | None:
    try:
        entry = await kv.get(key_of(enterprise_id))
    except KeyNotFoundError:
        return None
    if not entry.value:
        return None
    try:
        return msgspec.json.decode(entry.value, type=ImportState)
    except msgspec.MsgspecError:
        log.warning("unreadable import state of %s: starting over", enterprise_id)
        return None


class InitialImport:
    def __init__(
        self,
        applier: Applier,
        kv: KeyValue,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        pace: Pace | None = None,
    ) -> None:
        self.applier = applier
        self.kv = kv
        self.clock = clock
        #: Waited for before each chunk of commands (`backpressure`): live changes meanwhile
        #: wait behind a bounded backlog, not behind the whole import.
        self.pace = pace

    @property
    def enterprise_id(self) -> str:
        return self.applier.enterprise_id

    async def state(self) -> ImportState | None:
        return await read_state(self.kv, self.enterprise_id)

    async def _save(self, state: ImportState) -> None:
        await self.kv.put(key_of(self.enterprise_id), msgspec.json.encode(state))

    async def run(
        self,
        *,
        restart: bool = False,
        progress: Progress | None = None,
        stop: asyncio.Event | None = None,
    ) -> ImportState:
        """Import, or resume the unfinished import; a finished one is left alone (unless
        `restart`). `stop` set: the import stops after the page it is on and stays
        pending, to be resumed. A failure is recorded (state failed) and raised."""
        state = None if restart else await self.state()
        if state is not None and state.state == "done":
            return state
        resumed = state is not None and state.start_utc is not None
        if state is None or state.start_utc is None or state.end_utc is None:
            start, end = import_range(self.clock())
            state = ImportState(start_utc=start, end_utc=end)
        windows = import_windows(state.start_utc, state.end_utc)  # type: ignore[arg-type]
        state.windows_total = len(windows)
        state.reservations = state.reservations_done
        state.state = "running"
        state.started_at = state.started_at or self.clock()
        state.error = None
        await self._save(state)
        try:
            state.rooms = await self._rooms()
            for index in range(state.windows_done, len(windows)):
                if stop is not None and stop.is_set():
                    break
                finished = await self._window(
                    state,
                    windows[index],
                    earlier=windows[:index],
                    progress=progress,
                    stop=stop,
                    resumed=resumed,
                )
                if not finished:
                    break
                state.windows_done = index + 1
                state.reservations_done = state.reservations
                await self._save(state)
                await _show(progress, state, resumed)
        except asyncio.CancelledError:
            await self._pause(state)
            raise
        except Exception as exc:
            state.state = "failed"
            state.error = redact_text(f"{type(exc).__name__}: {exc}")[:500]
            with contextlib.suppress(Exception):
                await self._save(state)
            raise
        if state.windows_done < state.windows_total:
            await self._pause(state)
            return state
        state.state = "done"
        state.finished_at = self.clock()
        await self._save(state)
        return state

    async def _pause(self, state: ImportState) -> None:
        """Stopped before the end: pending, resumed at the next start or run."""
        state.state = "pending"
        with contextlib.suppress(Exception):
            await asyncio.shield(self._save(state))

    async def _rooms(self) -> int:
        """Every room, inactive ones too (old stays may name them): names for the stays."""
        request = ResourcesGetAll(extent=ResourceExtent(resources=True, inactive=True))
        rooms = 0
        async for page in self.applier.client.get_resources(request).pages():
            rooms += len((await self.applier.publish_rooms(page)).applied)
        return rooms

    async def _window(
        self,
        state: ImportState,
        window: TimeInterval,
        *,
        earlier: list[TimeInterval],
        progress: Progress | None,
        stop: asyncio.Event | None,
        resumed: bool,
    ) -> bool:
        """One window's reservations, page by page; False when stopped before its end."""
        request = ReservationsGetAll(colliding_utc=window)
        async for page in self.applier.client.get_reservations(request).pages():
            fresh = [r for r in page if not _imported_with(r, earlier)]
            result = await self.applier.publish_reservations(fresh, pace=self.pace)
            state.reservations += len(result.applied)
            await self._save(state)
            await _show(progress, state, resumed)
            if stop is not None and stop.is_set():
                return False
        return True


def _imported_with(reservation: Reservation, windows: list[TimeInterval]) -> bool:
    """Whether the stay collides with one of the windows imported before (it came with it)."""
    start = reservation.scheduled_start_utc or reservation.start_utc
    end = reservation.scheduled_end_utc or reservation.end_utc
    if start is None or end is None:
        return False
    return any(start < w.end_utc and end > w.start_utc for w in windows)


async def _show(progress: Progress | None, state: ImportState, resumed: bool) -> None:
    if progress is None:
        return
    shown = progress(
        ImportProgress(
            windows_done=state.windows_done,
            windows=state.windows_total,
            reservations=state.reservations,
            resumed=resumed,
        )
    )
    if shown is not None:
        await shown
