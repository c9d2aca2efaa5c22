"""The erasure use cases on a `UnitOfWork` (the order they run in, and the stream purges
between them, are `erasure`'s): recording a request with its commands, this service's
`guests` part, a part's receipt, and the log of reads of guests' personal data.

A request is recorded with, in the same unit of work, the `EraseGuest` commands of this
service and of vendors (outbox), so nothing is asked that is not recorded and nothing
recorded is left unasked. Receipts are kept once per part: the receipt's key, not the inbox,
makes a repeated one a no-op (whoever sends it).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime

from attendandt.contracts.caller import Caller
from attendandt.contracts.erasure import (
    ERASE_GUEST_IN_GUESTS,
    ERASE_GUEST_IN_VENDORS,
    ERASURE_PARTS,
    GUEST_ERASED,
    EraseGuest,
    ErasureReceipt,
    ErasureSource,
    GuestErased,
)
from attendandt.contracts.rpc.privacy import AccessAction, ErasureReceiptView, ErasureView
from attendandt.contracts.snapshots import GuestSnapshot
from attendandt.contracts.subjects import CommandSubject
from attendandt.contracts.versioning import ERASED
from attendandt.guests import erasure_repository as er
from attendandt.guests.unit_of_work import UnitOfWork
from attendandt.platform.rpc import Invalid

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

GUESTS_PART = "guests"
STREAMS_PART = "event-streams"


def check_request_id(value: str) -> None:
    """Only this service makes request ids (UUIDs): anything else can never be one."""
    try:
        uuid.UUID(value)
    except ValueError as exc:
        raise Invalid(f"no erasure {value}") from exc


def pseudonym_for(request_id: str) -> str:
    """What stands in for an erased guest: says what happened, names nobody."""
    return f"Erased guest {request_id[:8]}"


async def start_erasure(
    uow: UnitOfWork,
    enterprise_id: str,
    guest_id: str,
    *,
    source: ErasureSource,
    requested_by: str,
    reason: str,
    clock: Clock,
) -> ErasureView | None:
    """Record the request and queue its commands, once per guest (a guest asked for again
    answers the first request); None: no such guest."""
    now = clock()
    async with uow:
        known = await uow.erasures.request_for_guest(enterprise_id, guest_id)
        if known is not None:
            return await erasure_view(uow, known)
        guest = await uow.erasures.guest_to_erase(enterprise_id, guest_id)
        if guest is None:
            return None
        request_id = str(uuid.uuid4())
        stored = er.StoredRequest(
            request_id=request_id,
            enterprise_id=enterprise_id,
            guest_id=guest_id,
            customer_mews_id=guest.mews_id,
            pseudonym=pseudonym_for(request_id),
            source=source,
            requested_by=requested_by,
            requested_at=now,
            reason=reason,
            parts=ERASURE_PARTS,
            completed_at=None,
        )
        if not await uow.erasures.add_request(stored):
            known = await uow.erasures.request_for_guest(enterprise_id, guest_id)
            assert known is not None  # the conflict was this guest's request
            return await erasure_view(uow, known)
        for subject in (ERASE_GUEST_IN_GUESTS, ERASE_GUEST_IN_VENDORS):
            service = CommandSubject.parse(subject.template).service
            command = EraseGuest(
                command_id=f"erase:{request_id}:{service}",
                enterprise_id=enterprise_id,
                issued_at=now,
                request_id=request_id,
                guest_id=guest_id,
                customer_mews_id=guest.mews_id,
                pseudonym=stored.pseudonym,
            )
            await uow.queue(
                subject.format(), command, msg_id=command.command_id, correlation_id=request_id
            )
        view = await erasure_view(uow, stored, created=True)
        await uow.commit()
    log.info(
        "guest erasure requested",
        extra={"request_id": request_id, "enterprise_id": enterprise_id,
               "guest_id": guest_id, "source": source},
    )  # fmt: skip
    return view


async def erasure_view(
    uow: UnitOfWork, request: er.StoredRequest, *, created: bool = False
) -> ErasureView:
    receipts = (await uow.erasures.receipts_of([request.request_id])).get(request.request_id, {})
    views = tuple(
        ErasureReceiptView(
            part=part,
            done_at=receipts[part].done_at,
            removed=receipts[part].removed,
            pseudonymised=receipts[part].pseudonymised,
        )
        if part in receipts
        else ErasureReceiptView(part=part)
        for part in request.parts
    )
    waiting = tuple(part for part in request.parts if part not in receipts)
    return ErasureView(
        request_id=request.request_id,
        enterprise_id=request.enterprise_id,
        guest_id=request.guest_id,
        pseudonym=request.pseudonym,
        source=request.source,  # type: ignore[arg-type]
        requested_by=request.requested_by,
        requested_at=request.requested_at,
        reason=request.reason,
        state="done" if request.completed_at is not None and not waiting else "pending",
        completed_at=request.completed_at,
        receipts=views,
        waiting_for=waiting,
        created=created,
    )


async def erase_tables(uow: UnitOfWork, request: er.StoredRequest, *, clock: Clock) -> None:
    """This service's `guests` part: the guest's personal data goes, with its receipt and
    the public `guest.erased`, in one unit of work; once (a part answered is not redone)."""
    now = clock()
    async with uow:
        # The lock serialises this with the receipts of other parts (completion sees all).
        if await uow.erasures.lock_request(request.request_id) is None:
            return
        answered = (await uow.erasures.receipts_of([request.request_id])).get(
            request.request_id, {}
        )
        if GUESTS_PART in answered:
            return
        guest = await uow.erasures.guest_to_erase(request.enterprise_id, request.guest_id)
        removed: dict[str, int] = {}
        pseudonymised: dict[str, int] = {}
        if guest is not None:
            removed, pseudonymised = await uow.erasures.pseudonymise_guest(
                request.enterprise_id, guest.guest_id, guest.mews_id, request.pseudonym
            )
            erased = GuestErased(
                event_id=f"guest-erased:{request.request_id}",
                enterprise_id=request.enterprise_id,
                occurred_at=now,
                event="erased",
                guest_id=request.guest_id,
                guest=GuestSnapshot(
                    mews_id=guest.mews_id,
                    mews_updated_utc=ERASED,
                    last_name=request.pseudonym,
                    is_active=False,
                ),
                request_id=request.request_id,
            )
            await uow.queue(
                GUEST_ERASED.format(enterprise=request.enterprise_id),
                erased,
                msg_id=erased.event_id,
                correlation_id=request.request_id,
            )
        receipt = er.StoredReceipt(
            part=GUESTS_PART, done_at=now, removed=removed, pseudonymised=pseudonymised
        )
        await uow.erasures.add_receipt(request.request_id, receipt, now)
        await _complete_if_answered(uow, request.request_id, now)
        await uow.commit()


async def record_receipt(uow: UnitOfWork, receipt: ErasureReceipt, *, clock: Clock) -> bool:
    """A part's receipt (another service's, or this one's streams), kept once; whether the
    request is done now."""
    check_request_id(receipt.request_id)
    now = clock()
    async with uow:
        if await uow.erasures.lock_request(receipt.request_id) is None:
            log.warning("receipt of an unknown erasure", extra={"id": receipt.request_id})
            return False
        stored = er.StoredReceipt(
            part=receipt.part,
            done_at=receipt.done_at,
            removed=dict(receipt.removed),
            pseudonymised=dict(receipt.pseudonymised),
        )
        await uow.erasures.add_receipt(receipt.request_id, stored, now)
        done = await _complete_if_answered(uow, receipt.request_id, now)
        await uow.commit()
    if done:
        log.info("guest erasure done", extra={"request_id": receipt.request_id})
    return done


async def _complete_if_answered(uow: UnitOfWork, request_id: str, now: datetime) -> bool:
    """Mark the request done once every part answered (the caller holds its lock); whether
    it is done now."""
    request = await uow.erasures.lock_request(request_id)
    if request is None:
        return False
    if request.completed_at is not None:
        return True
    answered = set((await uow.erasures.receipts_of([request_id])).get(request_id, {}))
    if not set(request.parts) <= answered:
        return False
    await uow.erasures.mark_completed(request_id, now)
    return True


async def log_access(
    uow: UnitOfWork,
    caller: Caller,
    enterprise_id: str,
    guest_ids: list[str],
    action: AccessAction,
    *,
    clock: Clock,
) -> None:
    """Who read which guests' personal data, and how (a detail, an export, a search): one
    entry per guest, however often the read named it."""
    if not guest_ids:
        return
    now = clock()
    entries = [
        {
            "enterprise_id": enterprise_id,
            "guest_id": guest_id,
            "user_id": caller.user_id,
            "role": caller.role.value,
            "vendor_id": caller.vendor_id,
            "action": action,
            "at": now,
        }
        for guest_id in dict.fromkeys(guest_ids)
    ]
    async with uow:
        await uow.erasures.log_access(entries)
        await uow.commit()
