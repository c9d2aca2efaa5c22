"""Erasing a guest (`contracts.erasure`): what the transport calls for a request, this
service's own parts, the receipts of the others, the answers to staff and the log of reads of
guests' personal data. The writes are use cases on a `UnitOfWork` (`erasure_writes`); here
are the caller's rights, the reads staff see, and the order of this service's parts, with
the stream purges between them. This service's command does its parts in order:
1. `event-streams` first while the tables still know the guest's email and phone (dead
   letters are matched by them too), then
2. `guests`: the tables, in one transaction with its receipt and the public `guest.erased`,
3. the streams once more by the guest's ids: an event published between 1 and 2 goes too.
A redelivered command finds the `guests` receipt and only repeats step 3 (idempotent).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.contracts.caller import Caller
from attendandt.contracts.erasure import EraseGuest, ErasureReceipt, ErasureSource
from attendandt.contracts.rpc.privacy import (
    AUDIT_READ,
    ERASE,
    AccessAction,
    ErasurePage,
    ErasureView,
    GetErasureRequest,
    GuestAccess,
    GuestAccessPage,
    GuestAccessRequest,
    ListErasuresRequest,
    RequestErasureRequest,
)
from attendandt.guests.erasure_writes import (
    GUESTS_PART,
    STREAMS_PART,
    Clock,
    check_request_id,
    erase_tables,
    erasure_view,
    log_access,
    record_receipt,
    start_erasure,
)
from attendandt.guests.stream_purge import GuestMarks, purge_guest
from attendandt.guests.unit_of_work import SqlUnitOfWork, UnitOfWork
from attendandt.platform.rpc import Forbidden, Invalid, NotFound

log = logging.getLogger(__name__)


def _uuid(value: str, what: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise NotFound(f"no {what} {value}") from exc


class Erasures:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        jetstream: Callable[[], JetStreamContext],
        *,
        clock: Clock,
        units: Callable[[], UnitOfWork] | None = None,
    ) -> None:
        self._jetstream = jetstream
        self._clock = clock
        self._units = units or (lambda: SqlUnitOfWork(sessions))

    async def request(self, request: RequestErasureRequest, caller: Caller) -> ErasureView:
        if not caller.can(ERASE):
            raise Forbidden("erasing a guest needs guests:erase")
        missing = NotFound(f"no guest {request.guest_id}")
        if not caller.may_act_for(request.enterprise_id):
            raise missing
        guest_id = _uuid(request.guest_id, "guest")
        if not request.reason.strip():
            raise Invalid("say why the guest is erased")
        view = await self.start(
            request.enterprise_id,
            guest_id,
            source="staff",
            requested_by=caller.user_id,
            reason=request.reason.strip(),
        )
        if view is None:
            raise missing
        return view

    async def erase_deleted_in_mews(
        self, enterprise_id: str, customer_mews_id: str
    ) -> ErasureView | None:
        """A customer Mews deleted is erased here too, as staff would ask (source `mews`)."""
        async with self._units() as uow:
            guest_id = await uow.erasures.guest_id_of_customer(enterprise_id, customer_mews_id)
        if guest_id is None:
            return None
        view = await self.start(
            enterprise_id,
            guest_id,
            source="mews",
            requested_by="mews",
            reason="the customer was deleted in Mews",
        )
        if view is not None and view.created:
            log.info(
                "erasing a guest deleted in Mews",
                extra={"enterprise_id": enterprise_id, "request_id": view.request_id},
            )
        return view

    async def start(
        self,
        enterprise_id: str,
        guest_id: str,
        *,
        source: ErasureSource,
        requested_by: str,
        reason: str,
    ) -> ErasureView | None:
        return await start_erasure(
            self._units(),
            enterprise_id,
            guest_id,
            source=source,
            requested_by=requested_by,
            reason=reason,
            clock=self._clock,
        )

    async def list_requests(self, request: ListErasuresRequest, caller: Caller) -> ErasurePage:
        if not caller.can(ERASE):
            raise Forbidden("erasures need guests:erase")
        enterprises = caller.visible_enterprises(request.enterprise_id)
        if enterprises == ():
            return ErasurePage()
        pending = None if request.state is None else request.state == "pending"
        async with self._units() as uow:
            found = await uow.erasures.list_requests(
                enterprises, pending=pending, limit=request.limit + 1, offset=request.offset
            )
            views = [await erasure_view(uow, r) for r in found[: request.limit]]
        more = len(found) > request.limit
        return ErasurePage(
            items=tuple(views), next_offset=request.offset + request.limit if more else None
        )

    async def get(self, request: GetErasureRequest, caller: Caller) -> ErasureView:
        if not caller.can(ERASE):
            raise Forbidden("erasures need guests:erase")
        missing = NotFound(f"no erasure {request.request_id}")
        enterprises = caller.visible_enterprises(request.enterprise_id)
        if enterprises == ():
            raise missing
        request_id = _uuid(request.request_id, "erasure")
        async with self._units() as uow:
            found = await uow.erasures.find_request(request_id, enterprises)
            if found is None:
                raise missing
            return await erasure_view(uow, found)

    async def erase_here(self, command: EraseGuest) -> None:
        """This service's parts of one request (see the module docstring for the order)."""
        check_request_id(command.request_id)
        async with self._units() as uow:
            request = await uow.erasures.find_request(command.request_id, None)
            if request is None:
                # Only this service queues the command, in the request's transaction.
                log.warning("erase command of an unknown request", extra={"id": command.request_id})
                return
            answered = (await uow.erasures.receipts_of([request.request_id])).get(
                request.request_id, {}
            )
            guest = await uow.erasures.guest_to_erase(request.enterprise_id, request.guest_id)
        marks = GuestMarks(guest_id=request.guest_id, mews_id=request.customer_mews_id)
        first: dict[str, int] = {}
        if GUESTS_PART not in answered:
            if guest is not None:
                marks = GuestMarks(
                    guest_id=request.guest_id,
                    mews_id=request.customer_mews_id,
                    email=guest.email,
                    phone=guest.phone,
                )
            first = await purge_guest(self._jetstream(), request.enterprise_id, marks)
            await erase_tables(self._units(), request, clock=self._clock)
        again = await purge_guest(
            self._jetstream(),
            request.enterprise_id,
            GuestMarks(guest_id=request.guest_id, mews_id=request.customer_mews_id),
        )
        removed = {
            stream: first.get(stream, 0) + again.get(stream, 0) for stream in {*first, *again}
        }
        await self.record_receipt(
            ErasureReceipt(
                command_id=f"erasure-receipt:{request.request_id}:{STREAMS_PART}",
                enterprise_id=request.enterprise_id,
                issued_at=self._clock(),
                request_id=request.request_id,
                part=STREAMS_PART,
                removed=removed,
                done_at=self._clock(),
            )
        )

    async def record_receipt(self, receipt: ErasureReceipt) -> None:
        await record_receipt(self._units(), receipt, clock=self._clock)

    async def log_access(
        self, caller: Caller, enterprise_id: str, guest_ids: list[str], action: AccessAction
    ) -> None:
        await log_access(self._units(), caller, enterprise_id, guest_ids, action, clock=self._clock)

    async def access_log(self, request: GuestAccessRequest, caller: Caller) -> GuestAccessPage:
        if not caller.can(AUDIT_READ):
            raise Forbidden("the access log needs audit:read")
        enterprises = caller.visible_enterprises(request.enterprise_id)
        if enterprises == ():
            return GuestAccessPage()
        guest_id = _uuid(request.guest_id, "guest") if request.guest_id else None
        async with self._units() as uow:
            rows = await uow.erasures.access_log(
                enterprises, guest_id, limit=request.limit + 1, offset=request.offset
            )
        items = tuple(
            GuestAccess(
                enterprise_id=row.enterprise_id,
                guest_id=row.guest_id,
                user_id=row.user_id,
                role=row.role,
                vendor_id=row.vendor_id,
                action=row.action,
                at=row.at,
            )
            for row in rows[: request.limit]
        )
        more = len(rows) > request.limit
        return GuestAccessPage(
            items=items, next_offset=request.offset + request.limit if more else None
        )
