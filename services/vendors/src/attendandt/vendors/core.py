"""What every use case module of the vendors service shares: its units of work (one a use
case, see `unit_of_work`), the clock and the announcements (`outgoing`) of the change a unit
of work makes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from attendandt.vendors.outgoing import Announcer
from attendandt.vendors.unit_of_work import UnitOfWork

Clock = Callable[[], datetime]
#: A new unit of work each call (a unit of work is entered once).
Units = Callable[[], UnitOfWork]


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class Core:
    def __init__(self, units: Units, clock: Clock = utc_now) -> None:
        self.units = units
        self.clock = clock
        self.announce = Announcer(clock)
