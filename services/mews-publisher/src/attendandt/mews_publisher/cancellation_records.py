"""The cancellation's ledger and its result: every attempt to take a charge back (a cancel
or a rebate) is a row, committed as "sending" before its request leaves and finished with
its outcome; the outcome goes back to vendors as RecordChargeCancellation, with the inbox
claim, in one transaction."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Sequence

from attendandt.contracts.commands import (
    RECORD_CHARGE_CANCELLATION,
    CancellationMethod,
    RecordChargeCancellation,
)
from attendandt.contracts.outbound import CancelCharge
from attendandt.mews import MewsError
from attendandt.mews.models.orders import OrderItem
from attendandt.mews_publisher.repository import Cancellation
from attendandt.mews_publisher.service import Clock
from attendandt.mews_publisher.unit_of_work import UnitOfWork
from attendandt.mews_publisher.writes import mews_answer

log = logging.getLogger(__name__)

CANCEL_CHARGE_CONSUMER = "mews-publisher-cancel-charge"


class Method(enum.StrEnum):
    CANCEL = "cancel"
    REBATE = "rebate"


class CancelState(enum.StrEnum):
    #: Written and committed before the request leaves; still so after a crash.
    SENDING = "sending"
    CANCELLED = "cancelled"
    #: Mews would not cancel these items: they are offset by a rebate instead.
    REFUSED = "refused"
    #: Mews refused the rebate for good; the charge's cancellation failed.
    FAILED = "failed"
    #: Sent, no trustworthy answer: read the items (or look the rebate up) before a resend.
    UNKNOWN = "unknown"
    #: Certainly not applied (429, connection refused, or not found when looked up).
    NOT_SENT = "not_sent"


IN_DOUBT = (CancelState.SENDING, CancelState.UNKNOWN)


class CancellationRecords:
    def __init__(self, units: Callable[[], UnitOfWork], clock: Clock) -> None:
        self.units = units
        self.clock = clock

    async def start(self, c: CancelCharge, method: Method, items: Sequence[OrderItem]) -> int:
        """The next attempt, committed as "sending" before its request leaves."""
        async with self.units() as uow:
            attempts = await uow.cancellations.for_reference(c.reference)
            attempt = attempts[-1].attempt + 1 if attempts else 1
            await uow.cancellations.add(
                {
                    "reference": c.reference,
                    "attempt": attempt,
                    "enterprise_id": c.enterprise_id,
                    "charge_id": c.charge_id,
                    "command_id": c.command_id,
                    "method": method.value,
                    "order_item_ids": [i.id for i in items],
                    "state": CancelState.SENDING.value,
                    "sent_at": self.clock(),
                }
            )
            await uow.commit()
        return attempt

    async def finish(self, row: Cancellation, state: CancelState, message: str) -> None:
        async with self.units() as uow:
            await uow.cancellations.finish(
                row.reference,
                row.attempt,
                {"state": state.value, "mews_message": message, "finished_at": self.clock()},
            )
            await uow.commit()

    async def finish_attempt(
        self, c: CancelCharge, attempt: int, state: CancelState, exc: MewsError | None
    ) -> None:
        async with self.units() as uow:
            await self.finish_in(uow, c.reference, attempt, state, exc)
            await uow.commit()

    async def finish_in(
        self,
        uow: UnitOfWork,
        reference: str,
        attempt: int,
        state: CancelState,
        exc: MewsError | None,
    ) -> None:
        await uow.cancellations.finish(
            reference,
            attempt,
            {"state": state.value, **mews_answer(exc), "finished_at": self.clock()},
        )

    async def report_done(
        self,
        c: CancelCharge,
        attempts: Sequence[Cancellation],
        *,
        found: tuple[Cancellation, OrderItem] | None,
    ) -> None:
        """Report the rebate the ledger shows made, or the one just `found` in Mews for the
        attempt whose answer was lost."""
        async with self.units() as uow:
            if not await uow.claim(c.command_id, consumer=CANCEL_CHARGE_CONSUMER):
                return
            if found is not None:
                row, item = found
                rebate_order_id = item.service_order_id
                await uow.cancellations.finish(
                    row.reference,
                    row.attempt,
                    {
                        "state": CancelState.CANCELLED.value,
                        "mews_order_id": rebate_order_id,
                        "finished_at": self.clock(),
                    },
                )
            else:
                rebate_order_id = next(
                    a.mews_order_id
                    for a in attempts
                    if a.method == Method.REBATE and a.state == CancelState.CANCELLED
                )
            item_ids = tuple(dict.fromkeys(i for a in attempts for i in a.order_item_ids))
            await self.queue(
                uow,
                c,
                cancelled=True,
                method=CancellationMethod.REBATED,
                item_ids=item_ids,
                rebate_order_id=rebate_order_id,
            )
            await uow.commit()

    async def report(
        self,
        c: CancelCharge,
        *,
        cancelled: bool,
        method: CancellationMethod | None = None,
        item_ids: tuple[str, ...] = (),
        failure: str | None = None,
        permanent: bool = False,
    ) -> None:
        async with self.units() as uow:
            if not await uow.claim(c.command_id, consumer=CANCEL_CHARGE_CONSUMER):
                return
            await self.queue(
                uow,
                c,
                cancelled=cancelled,
                method=method,
                item_ids=item_ids,
                failure=failure,
                permanent=permanent,
            )
            await uow.commit()
        if cancelled:
            log.info("charge %s taken back (%s)", c.charge_id, method)
        else:
            log.warning("charge %s could not be taken back: %s", c.charge_id, failure)

    async def queue(
        self,
        uow: UnitOfWork,
        c: CancelCharge,
        *,
        cancelled: bool,
        method: CancellationMethod | None = None,
        item_ids: tuple[str, ...] = (),
        rebate_order_id: str | None = None,
        failure: str | None = None,
        permanent: bool = False,
    ) -> None:
        # One result per CancelCharge command: a repeat of that command repeats this id.
        command_id = f"charge-cancellation:{c.command_id}"
        result = RecordChargeCancellation(
            command_id=command_id,
            enterprise_id=c.enterprise_id,
            issued_at=self.clock(),
            charge_id=c.charge_id,
            cancelled=cancelled,
            method=method,
            order_item_ids=item_ids,
            rebate_order_id=rebate_order_id,
            failure_reason=failure,
            permanent=permanent,
        )
        await uow.queue(RECORD_CHARGE_CANCELLATION.format(), result, msg_id=command_id)
