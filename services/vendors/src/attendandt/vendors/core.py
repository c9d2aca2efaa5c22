"""What every use case module of the vendors service shares: the database, the clock and
the announcements (`outgoing`) of the change a transaction makes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from attendandt.vendors.outgoing import Announcer
from attendandt.vendors.repository import Database

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class Core:
    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock
        self.announce = Announcer(clock)
