"""Use case: take a posted charge back from the guest's Mews bill, once.

Two ways, as Mews has them:
- `orderItems/cancel` (Restricted, beta; at most 10 items per request): the charge's items
  become Canceled. Cancelling an item twice cannot cancel it twice, but an answer can be
  lost: the items' `AccountingState` is read before anything is sent again.
- a rebate (the POS use case's way): the same items again with negative amounts, posted with
  `orders/add` under the reference `<charge reference>:rebate`. That is a write without an
  idempotency key, made exactly once like posting: written to the ledger ("sending") and
  committed before it leaves, and looked up by its ExternalIdentifier before any resend.
  It is used where Mews will not cancel: an item already on a closed bill, the operation not
  granted (`order_items_cancel` off, or Mews refusing it), or a cancel Mews refused.

Real Mews documents `orderItems/cancel` as a Restricted beta (granted per integration; its
POS and terminal guides still say a posted item cannot be cancelled, only offset by negative
items); `orders/add` with negative amounts is open to every integration. The simulator does
both: `orderItems/cancel` with Mews's limits (10 ids, all or none, 403 on a closed bill) and
negative items on `orders/add`.

How a CancelCharge is handled (one worker per charge reference, the lock posting uses):
1. a handled command is in the inbox: nothing again;
2. the ledger's last attempt left "sending" or "unknown" (the process died, the answer was
   lost) is settled first: a cancel by reading the items' state, a rebate by looking it up;
3. the charge's items are found: in the order vendors names, else in the order the posting
   ledger knows, else looked up by reference; none at all means nothing reached Mews;
4. what is still not Canceled is cancelled (or rebated), and the outcome goes back to
   vendors as RecordChargeCancellation, with the inbox claim, in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from attendandt.contracts.commands import CancellationMethod
from attendandt.contracts.outbound import CancelCharge
from attendandt.mews import (
    MewsBadRequest,
    MewsError,
    MewsForbidden,
    MewsOutcomeUnknown,
    MewsUnauthorized,
    TimeInterval,
)
from attendandt.mews.models.orders import (
    MAX_CANCEL_ITEMS,
    OrderItem,
    OrderItemAccountingState,
    OrderItemsCancel,
    OrderItemsGetAll,
)
from attendandt.mews_publisher.cancellation_records import (
    CANCEL_CHARGE_CONSUMER,
    IN_DOUBT,
    CancellationRecords,
    CancelState,
    Method,
)
from attendandt.mews_publisher.charges import AttemptState
from attendandt.mews_publisher.enterprises import EnterpriseLink, Enterprises
from attendandt.mews_publisher.order_requests import rebate_reference, rebate_request
from attendandt.mews_publisher.repository import Attempt
from attendandt.mews_publisher.service import (
    LOOKUP_MARGIN,
    PERMANENT,
    Clock,
    Retry,
    _message,
    utc_now,
)
from attendandt.mews_publisher.unit_of_work import ReferenceLocks, UnitOfWork
from attendandt.mews_publisher.writes import MewsWrites, give_up_reason

log = logging.getLogger(__name__)

#: Items Mews cancels; a Closed one (its bill is closed) can only be offset.
CANCELLABLE = frozenset({OrderItemAccountingState.OPEN, OrderItemAccountingState.INACTIVE})
#: A refused cancel (401: not granted; 400/403: Mews will not) is offset by a rebate instead.
CANCEL_REFUSED = (MewsUnauthorized, MewsBadRequest, MewsForbidden)


def _canceled(item: OrderItem) -> bool:
    return item.accounting_state == OrderItemAccountingState.CANCELED


class CancellationService(MewsWrites):
    def __init__(
        self,
        units: Callable[[], UnitOfWork],
        locks: ReferenceLocks,
        enterprises: Enterprises,
        *,
        settle_s: float = 60.0,
        order_items_cancel: bool = True,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(units, locks, enterprises, settle_s=settle_s, clock=clock)
        self.order_items_cancel = order_items_cancel
        self.records = CancellationRecords(units, clock)

    async def cancel_charge(self, c: CancelCharge, *, last_delivery: bool = False) -> None:
        """Take `c`'s charge back once. Raises `Retry` (or another exception) when it should
        come back later; on the `last_delivery`, a transient failure is reported as a failed
        cancellation (a manager may try again)."""
        await self.once(
            c.reference,
            c.command_id,
            consumer=CANCEL_CHARGE_CONSUMER,
            busy=f"{c.reference} is being handled by another worker",
            write=lambda: self._cancel_locked(c),
            give_up=lambda exc: self._give_up(c, exc),
            last_delivery=last_delivery,
        )

    async def _cancel_locked(self, c: CancelCharge) -> None:
        link = self.enterprises.link(c.enterprise_id)
        async with self.units() as uow:
            attempts = await uow.cancellations.for_reference(c.reference)
            posting = await uow.attempts.latest(c.reference)
        if any(a.method == Method.REBATE and a.state == CancelState.CANCELLED for a in attempts):
            log.info("charge %s already offset; answering again", c.charge_id)
            await self.records.report_done(c, attempts, found=None)
            return
        latest = attempts[-1] if attempts else None
        if latest is not None and latest.state in IN_DOUBT:
            self._settled(c, latest.sent_at)
            if latest.method == Method.REBATE:
                rebate = await self._find(link, c, rebate_reference(c.reference), latest.sent_at)
                if rebate:
                    log.info("rebate of charge %s found in Mews", c.charge_id)
                    await self.records.report_done(c, attempts, found=(latest, rebate[0]))
                    return
                await self.records.finish(
                    latest, CancelState.NOT_SENT, "not found in Mews when looked up"
                )
                latest = None
        order_id = await self._order_of(link, c, posting)
        if order_id is None:
            await self.records.report(c, cancelled=True, method=CancellationMethod.NOT_IN_MEWS)
            return
        items = await self._items(link, c, order_id)
        if latest is not None and latest.state in IN_DOUBT:  # a cancel: the items tell
            applied = set(latest.order_item_ids) <= {i.id for i in items if _canceled(i)}
            await self.records.finish(
                latest,
                CancelState.CANCELLED if applied else CancelState.NOT_SENT,
                "found canceled when read" if applied else "not canceled when read",
            )
        if not items:
            failure = f"Mews order {order_id} has no item with reference {c.reference}"
            await self.records.report(c, cancelled=False, failure=failure, permanent=True)
            return
        remaining = [i for i in items if not _canceled(i)]
        offset = (
            not self.order_items_cancel
            or any(a.state == CancelState.REFUSED for a in attempts)
            or any(i.accounting_state not in CANCELLABLE for i in remaining)
        )
        if remaining and not offset:
            if not await self._cancel(link, c, remaining):
                items = await self._items(link, c, order_id)  # refused: offset what is left
                remaining = [i for i in items if not _canceled(i)]
            else:
                remaining = []
        if remaining:
            await self._rebate(link, c, items, remaining)
            return
        await self.records.report(
            c,
            cancelled=True,
            method=CancellationMethod.ORDER_ITEMS_CANCELLED,
            item_ids=tuple(i.id for i in items),
        )

    # --- finding the charge in Mews ------------------------------------------------------

    def _settled(self, c: CancelCharge, sent_at: datetime) -> None:
        now = self.clock()
        if now - sent_at < self.settle:
            raise Retry(f"{c.reference} was sent {now - sent_at} ago; too early to look up")

    async def _order_of(
        self, link: EnterpriseLink, c: CancelCharge, posting: Attempt | None
    ) -> str | None:
        """The charge's Mews order, or None when nothing of it reached Mews."""
        if c.mews_order_id:
            return c.mews_order_id
        if posting is None:
            return None
        if posting.state == AttemptState.POSTED:
            return posting.mews_order_id
        if posting.state not in (AttemptState.SENDING, AttemptState.UNKNOWN):
            return None  # failed or certainly not sent
        self._settled(c, posting.sent_at)
        found = await self._find(link, c, c.reference, posting.sent_at)
        return found[0].service_order_id if found else None

    async def _find(
        self, link: EnterpriseLink, c: CancelCharge, external_id: str, sent_at: datetime
    ) -> list[OrderItem]:
        """The items carrying `external_id`, created around `sent_at` on the account."""
        now = self.clock()
        request = OrderItemsGetAll(
            account_ids=[c.account_id],
            service_ids=[c.service_id],
            created_utc=TimeInterval(sent_at - LOOKUP_MARGIN, now + LOOKUP_MARGIN),
        )
        return [
            i
            for i in await self._read(link, c, request)
            if i.external_identifier == external_id and i.service_order_id
        ]

    async def _items(self, link: EnterpriseLink, c: CancelCharge, order_id: str) -> list[OrderItem]:
        """The charge's items in its order, as Mews has them now."""
        request = OrderItemsGetAll(service_order_ids=[order_id])
        items = await self._read(link, c, request)
        return [i for i in items if i.external_identifier == c.reference]

    async def _read(
        self, link: EnterpriseLink, c: CancelCharge, request: OrderItemsGetAll
    ) -> list[OrderItem]:
        try:
            return await link.client.get_order_items(request).collect()
        except MewsUnauthorized as exc:
            raise self.token_refused(c.enterprise_id, exc) from exc
        except MewsError as exc:
            raise Retry(f"cannot read the items of {c.reference}: {exc}") from exc

    # --- writing to Mews -----------------------------------------------------------------

    async def _cancel(
        self, link: EnterpriseLink, c: CancelCharge, items: Sequence[OrderItem]
    ) -> bool:
        """orderItems/cancel, 10 items per request. False when Mews refused (offset them).
        A crash between two requests leaves the first "cancelled": the next delivery reads
        the items and cancels what is left."""
        for start in range(0, len(items), MAX_CANCEL_ITEMS):
            chunk = items[start : start + MAX_CANCEL_ITEMS]
            attempt = await self.records.start(c, Method.CANCEL, chunk)
            # Committed: from here a crash leaves "sending"; the next delivery reads the items.
            try:
                await link.client.cancel_order_items(
                    OrderItemsCancel(order_item_ids=[i.id for i in chunk])
                )
            except MewsOutcomeUnknown as exc:
                await self.records.finish_attempt(c, attempt, CancelState.UNKNOWN, exc)
                raise Retry(f"cancel of {c.reference} unknown ({exc}); reading it next") from exc
            except CANCEL_REFUSED as exc:
                # Not granted (401), or Mews will not (400/403; "already canceled" among them:
                # the items read next tell).
                log.warning("Mews refused to cancel charge %s: %s", c.charge_id, exc)
                await self.records.finish_attempt(c, attempt, CancelState.REFUSED, exc)
                return False
            except MewsError as exc:
                await self.records.finish_attempt(c, attempt, CancelState.NOT_SENT, exc)
                raise Retry(f"cancel of {c.reference} not sent: {exc}") from exc
            await self.records.finish_attempt(c, attempt, CancelState.CANCELLED, None)
        log.info("charge %s cancelled in Mews (%d items)", c.charge_id, len(items))
        return True

    async def _rebate(
        self,
        link: EnterpriseLink,
        c: CancelCharge,
        items: Sequence[OrderItem],
        remaining: Sequence[OrderItem],
    ) -> None:
        request = rebate_request(c, remaining)  # before the ledger row, like posting
        attempt = await self.records.start(c, Method.REBATE, remaining)
        try:
            result = await link.client.add_order(request)
        except MewsOutcomeUnknown as exc:
            await self.records.finish_attempt(c, attempt, CancelState.UNKNOWN, exc)
            raise Retry(f"rebate of {c.reference} unknown ({exc}); looking it up next") from exc
        except PERMANENT as exc:
            log.warning("Mews refused the rebate of charge %s: %s", c.charge_id, exc)
            async with self.units() as uow:
                if not await uow.claim(c.command_id, consumer=CANCEL_CHARGE_CONSUMER):
                    return
                await self.records.finish_in(uow, c.reference, attempt, CancelState.FAILED, exc)
                await self.records.queue(
                    uow, c, cancelled=False, failure=_message(exc), permanent=True
                )
                await uow.commit()
            return
        except MewsUnauthorized as exc:
            await self.records.finish_attempt(c, attempt, CancelState.NOT_SENT, exc)
            raise self.token_refused(c.enterprise_id, exc) from exc
        except MewsError as exc:
            await self.records.finish_attempt(c, attempt, CancelState.NOT_SENT, exc)
            raise Retry(f"rebate of {c.reference} not sent: {exc}") from exc
        async with self.units() as uow:
            if not await uow.claim(c.command_id, consumer=CANCEL_CHARGE_CONSUMER):
                return
            await uow.cancellations.finish(
                c.reference,
                attempt,
                {
                    "state": CancelState.CANCELLED.value,
                    "mews_order_id": result.order_id,
                    "finished_at": self.clock(),
                },
            )
            await self.records.queue(
                uow,
                c,
                cancelled=True,
                method=CancellationMethod.REBATED,
                item_ids=tuple(i.id for i in items),
                rebate_order_id=result.order_id,
            )
            await uow.commit()
        log.info("charge %s offset in Mews (rebate order %s)", c.charge_id, result.order_id)

    async def _give_up(self, c: CancelCharge, exc: Exception) -> None:
        """Out of deliveries: the cancellation is reported failed (not permanently). An attempt
        whose outcome is unknown stays so: a manager's new try settles it first."""
        reason = give_up_reason(exc)[:2000]
        log.error("giving up on cancelling charge %s: %s", c.charge_id, reason)
        await self.records.report(c, cancelled=False, failure=reason)
