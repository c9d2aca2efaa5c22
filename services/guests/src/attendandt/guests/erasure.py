"""Erasing a guest (`contracts.erasure`): the request, this service's own parts, the receipts
of the others, and the answers to staff; plus the log of reads of guests' personal data.

A request is recorded with, in the same transaction, the `EraseGuest` commands of this
service and of vendors (outbox), so nothing is asked that is not recorded and nothing
recorded is left unasked. This service's command does its two parts in order:
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
from datetime import datetime

from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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
from attendandt.contracts.rpc.privacy import (
    AUDIT_READ,
    ERASE,
    AccessAction,
    ErasurePage,
    ErasureReceiptView,
    ErasureView,
    GetErasureRequest,
    GuestAccess,
    GuestAccessPage,
    GuestAccessRequest,
    ListErasuresRequest,
    RequestErasureRequest,
)
from attendandt.contracts.snapshots import GuestSnapshot
from attendandt.contracts.subjects import CommandSubject
from attendandt.contracts.versioning import ERASED
from attendandt.guests import erasure_repository as er
from attendandt.guests.models import outbox
from attendandt.guests.stream_purge import GuestMarks, purge_guest
from attendandt.platform.outbox import add
from attendandt.platform.rpc import Forbidden, Invalid, NotFound

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

GUESTS_PART = "guests"
STREAMS_PART = "event-streams"


def _uuid(value: str, what: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise NotFound(f"no {what} {value}") from exc


def _request_id(value: str) -> None:
    """Only this service makes request ids (UUIDs): anything else can never be one."""
    try:
        uuid.UUID(value)
    except ValueError as exc:
        raise Invalid(f"no erasure {value}") from exc


def pseudonym_for(request_id: str) -> str:
    """What stands in for an erased guest: says what happened, names nobody."""
    return f"Erased guest {request_id[:8]}"


class Erasures:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        jetstream: Callable[[], JetStreamContext],
        *,
        clock: Clock,
    ) -> None:
        self._sessions = sessions
        self._jetstream = jetstream
        self._clock = clock

    # ------------------------------------------------------------------ requests

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
        async with self._sessions() as session:
            guest_id = await er.guest_id_of_customer(session, enterprise_id, customer_mews_id)
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
        """Record the request and queue its commands (once per guest); None: no such guest."""
        now = self._clock()
        async with self._sessions() as session, session.begin():
            known = await er.request_for_guest(session, enterprise_id, guest_id)
            if known is not None:
                return await self._view(session, known, created=False)
            guest = await er.guest_to_erase(session, enterprise_id, guest_id)
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
            if not await er.add_request(session, stored):
                known = await er.request_for_guest(session, enterprise_id, guest_id)
                assert known is not None  # the conflict was this guest's request
                return await self._view(session, known, created=False)
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
                await add(
                    session,
                    outbox,
                    subject=subject.format(),
                    payload=command,
                    msg_id=command.command_id,
                    correlation_id=request_id,
                )
            log.info(
                "guest erasure requested",
                extra={"request_id": request_id, "enterprise_id": enterprise_id,
                       "guest_id": guest_id, "source": source},
            )  # fmt: skip
            return await self._view(session, stored, created=True)

    async def list_requests(self, request: ListErasuresRequest, caller: Caller) -> ErasurePage:
        if not caller.can(ERASE):
            raise Forbidden("erasures need guests:erase")
        enterprises = caller.visible_enterprises(request.enterprise_id)
        if enterprises == ():
            return ErasurePage()
        pending = None if request.state is None else request.state == "pending"
        async with self._sessions() as session:
            found = await er.list_requests(
                session,
                enterprises,
                pending=pending,
                limit=request.limit + 1,
                offset=request.offset,
            )
            views = [await self._view(session, r) for r in found[: request.limit]]
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
        async with self._sessions() as session:
            found = await er.find_request(session, request_id, enterprises)
            if found is None:
                raise missing
            return await self._view(session, found)

    async def _view(
        self, session: AsyncSession, request: er.StoredRequest, *, created: bool = False
    ) -> ErasureView:
        receipts = (await er.receipts_of(session, [request.request_id])).get(request.request_id, {})
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

    # ------------------------------------------------------------------ this service's parts

    async def erase_here(self, command: EraseGuest) -> None:
        """This service's parts of one request (see the module docstring for the order)."""
        _request_id(command.request_id)
        async with self._sessions() as session:
            request = await er.find_request(session, command.request_id, None)
            if request is None:
                # Only this service queues the command, in the request's transaction.
                log.warning("erase command of an unknown request", extra={"id": command.request_id})
                return
            answered = (await er.receipts_of(session, [request.request_id])).get(
                request.request_id, {}
            )
            guest = await er.guest_to_erase(session, request.enterprise_id, request.guest_id)
        marks = GuestMarks(guest_id=request.guest_id, mews_id=request.customer_mews_id)
        if GUESTS_PART not in answered:
            if guest is not None:
                marks = GuestMarks(
                    guest_id=request.guest_id,
                    mews_id=request.customer_mews_id,
                    email=guest.email,
                    phone=guest.phone,
                )
            first = await purge_guest(self._jetstream(), request.enterprise_id, marks)
            await self._erase_tables(request)
        else:
            first = {}
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

    async def _erase_tables(self, request: er.StoredRequest) -> None:
        now = self._clock()
        async with self._sessions() as session, session.begin():
            locked = await er.lock_request(session, request.request_id)
            if locked is None:
                return
            answered = (await er.receipts_of(session, [request.request_id])).get(
                request.request_id, {}
            )
            if GUESTS_PART in answered:
                return
            guest = await er.guest_to_erase(session, request.enterprise_id, request.guest_id)
            removed: dict[str, int] = {}
            pseudonymised: dict[str, int] = {}
            if guest is not None:
                removed, pseudonymised = await er.pseudonymise_guest(
                    session, request.enterprise_id, guest.guest_id, guest.mews_id, request.pseudonym
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
                await add(
                    session,
                    outbox,
                    subject=GUEST_ERASED.format(enterprise=request.enterprise_id),
                    payload=erased,
                    msg_id=erased.event_id,
                    correlation_id=request.request_id,
                )
            receipt = er.StoredReceipt(
                part=GUESTS_PART, done_at=now, removed=removed, pseudonymised=pseudonymised
            )
            await er.add_receipt(session, request.request_id, receipt, now)
            await er.complete_if_answered(session, request.request_id, now)

    async def record_receipt(self, receipt: ErasureReceipt) -> None:
        """A part's receipt (another service's, or this one's streams): kept once."""
        _request_id(receipt.request_id)
        now = self._clock()
        async with self._sessions() as session, session.begin():
            if await er.lock_request(session, receipt.request_id) is None:
                log.warning("receipt of an unknown erasure", extra={"id": receipt.request_id})
                return
            stored = er.StoredReceipt(
                part=receipt.part,
                done_at=receipt.done_at,
                removed=dict(receipt.removed),
                pseudonymised=dict(receipt.pseudonymised),
            )
            await er.add_receipt(session, receipt.request_id, stored, now)
            if await er.complete_if_answered(session, receipt.request_id, now):
                log.info("guest erasure done", extra={"request_id": receipt.request_id})

    # ------------------------------------------------------------------ access log

    async def log_access(
        self, caller: Caller, enterprise_id: str, guest_ids: list[str], action: AccessAction
    ) -> None:
        """Who read which guests' personal data, and how (a detail, an export, a search)."""
        if not guest_ids:
            return
        now = self._clock()
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
        async with self._sessions() as session, session.begin():
            await er.log_access(session, entries)

    async def access_log(self, request: GuestAccessRequest, caller: Caller) -> GuestAccessPage:
        if not caller.can(AUDIT_READ):
            raise Forbidden("the access log needs audit:read")
        enterprises = caller.visible_enterprises(request.enterprise_id)
        if enterprises == ():
            return GuestAccessPage()
        guest_id = _uuid(request.guest_id, "guest") if request.guest_id else None
        async with self._sessions() as session:
            rows = await er.access_log(
                session, enterprises, guest_id, limit=request.limit + 1, offset=request.offset
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
