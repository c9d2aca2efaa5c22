"""One property ingested (its Mews client, sweeper, gap guard, alarm, probe and socket), and
what of it outlives the process: the last contact and the board in KV, resumed at start and
kept while running."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import cast

from attendandt.contracts.alerts import SyncAlertReason
from attendandt.contracts.mews import MewsEntity
from attendandt.mews import MewsClient
from attendandt.mews_ingest.alarms import Finding, PropertyAlarm, SilenceProbe
from attendandt.mews_ingest.checkpoints import Checkpoints, LastContacts, StateBoard
from attendandt.mews_ingest.gaps import GapGuard
from attendandt.mews_ingest.resync_job import Resync
from attendandt.mews_ingest.sweeps import Sweeper
from attendandt.mews_ingest.websocket import EnterpriseSocket

log = logging.getLogger(__name__)


@dataclass
class Enterprise:
    enterprise_id: str
    client: MewsClient
    sweeper: Sweeper
    gap: GapGuard
    alarm: PropertyAlarm
    probe: SilenceProbe
    sweep_requested: asyncio.Event = field(default_factory=asyncio.Event)
    sweep_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: Set when a resync is asked for: the routine sweep running stops at its next window's
    #: end (its checkpoint holds) and runs again after the resync, so a person's resync never
    #: waits behind a long routine pass (the first import of a property walks the horizon).
    routine_yield: asyncio.Event = field(default_factory=asyncio.Event)
    socket: EnterpriseSocket | None = None
    #: The on-demand resync running or last run (one at a time per enterprise).
    resync: Resync | None = None


async def resume(
    enterprise: Enterprise,
    checkpoints: Checkpoints,
    contacts: LastContacts,
    board: StateBoard,
    entities: Iterable[MewsEntity],
) -> None:
    """Pick up what a previous process knew: the last contact (else the oldest
    checkpoint: a sweep's end is a contact too) and a backfill it announced."""
    enterprise_id = enterprise.enterprise_id
    contact = await contacts.get(enterprise_id)
    if contact is None:
        found = [await checkpoints.get(enterprise_id, e) for e in entities]
        contact = min((c for c in found if c is not None), default=None)
    silent = enterprise.gap.resume(contact, datetime.now(UTC))
    if silent is not None:
        log.warning(
            "no news from %s for %s (across a restart): the first sweep starts at the "
            "resync horizon",
            enterprise_id,
            silent,
        )
    restored = await board.restore(enterprise_id)
    if restored.alert_reasons:
        # Raised by a previous process: this one clears it when it sees no reason.
        enterprise.alarm.raised_at = restored.alert_raised_at
        enterprise.alarm.findings = tuple(
            Finding(cast(SyncAlertReason, reason), detail)
            for reason, detail in zip(restored.alert_reasons, restored.alert_details, strict=False)
        )
    if enterprise.socket is not None:
        board.update(enterprise_id, websocket_down_since=datetime.now(UTC))


async def flush_state(
    board: StateBoard,
    contacts: LastContacts,
    enterprises: Mapping[str, Enterprise],
    stop: asyncio.Event,
) -> None:
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)
        try:
            for enterprise_id in await board.settle_backfills():
                log.info("backfill done: %s no longer needs one", enterprise_id)
            await board.flush()
            await keep_contacts(contacts, enterprises.values())
        except Exception:
            log.warning("cannot write ingest state", exc_info=True)


async def keep_contacts(
    contacts: LastContacts, enterprises: Iterable[Enterprise], *, force: bool = False
) -> None:
    """Persist each property's last contact (at a bounded rate unless `force`)."""
    for enterprise in enterprises:
        contact = enterprise.gap.persistable()
        if contact is not None:
            await contacts.keep(enterprise.enterprise_id, contact, force=force)
