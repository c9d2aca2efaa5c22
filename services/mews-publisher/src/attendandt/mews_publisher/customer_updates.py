"""Use case: change a customer profile in Mews, and report the outcome.

A staff edit of a guest (`UpdateCustomer` with an `edit_id`) is written once the way a
charge is posted (`charges`), with the customer read as the lookup: one worker per customer
at a time; every delivery first reads the customer (customers/getAll) and writes only the
fields Mews still holds as the user saw them (`customer_edits.plan`), so a field someone
changed in Mews meanwhile is a conflict, never overwritten, and a field already holding our
value (an earlier attempt whose answer was lost, or a process killed after sending) is not
sent again. The write is in the ledger ("sending", committed) before it leaves, and an
attempt left "sending" or "unknown" is read again only once it settled. `customers/update`
sets values (it is idempotent by value): should a lost write still land after the read that
decided to send again, it sets the same values twice and changes nothing more. The reads of
the edits in hand at once share one customers/getAll (`customer_reads`), so an edit costs
its write plus a share of a read: 1 + 1/n Mews calls for n edits due together
(`edit_workers` of them at most). The result goes back to guests as RecordGuestEditResult.

An update without an `edit_id` is a plain write of `email`, `phone` and `notes`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from attendandt.contracts.commands import (
    RECORD_GUEST_EDIT_RESULT,
    EditFieldOutcome,
    RecordGuestEditResult,
)
from attendandt.contracts.outbound import UpdateCustomer
from attendandt.mews import MewsError, MewsOutcomeUnknown, MewsUnauthorized
from attendandt.mews.models.customers import Customer, CustomersGetAll, CustomersUpdate
from attendandt.mews_publisher import customer_edits
from attendandt.mews_publisher.customer_reads import CustomerReads
from attendandt.mews_publisher.enterprises import EnterpriseLink, Enterprises
from attendandt.mews_publisher.service import PERMANENT, Clock, Retry, _message, utc_now
from attendandt.mews_publisher.unit_of_work import ReferenceLocks, UnitOfWork, processed
from attendandt.mews_publisher.writes import MewsWrites, give_up_reason, mews_answer

log = logging.getLogger(__name__)

UPDATE_CUSTOMER_CONSUMER = "mews-publisher-update-customer"


class CustomerUpdates(MewsWrites):
    def __init__(
        self,
        units: Callable[[], UnitOfWork],
        locks: ReferenceLocks,
        enterprises: Enterprises,
        *,
        settle_s: float = 60.0,
        clock: Clock = utc_now,
        customer_reads: CustomerReads | None = None,
    ) -> None:
        super().__init__(units, locks, enterprises, settle_s=settle_s, clock=clock)
        self.customer_reads = customer_reads or CustomerReads()

    async def update_customer(self, c: UpdateCustomer, *, last_delivery: bool = False) -> None:
        """customers/update: a staff edit (`edit_id`) judged field by field against Mews,
        else a plain write of `email`, `phone` and `notes`."""
        if c.edit_id is None:
            await self._update_customer_plainly(c, last_delivery=last_delivery)
            return
        await self.once(
            f"customer:{c.enterprise_id}:{c.customer_id}",
            c.command_id,
            consumer=UPDATE_CUSTOMER_CONSUMER,
            busy=f"customer {c.customer_id} is being written by another worker",
            write=lambda: self._edit_locked(c),
            give_up=lambda exc: self._give_up_edit(c, exc),
            last_delivery=last_delivery,
        )

    async def _give_up_edit(self, c: UpdateCustomer, exc: Exception) -> None:
        reason = give_up_reason(exc)
        log.error("giving up on edit %s: %s", c.edit_id, reason[:300])
        failed = [EditFieldOutcome(field=ch.field, outcome="failed") for ch in c.changes]
        await self._report_edit(c, failed, failure_reason=reason[:2000])

    async def _edit_locked(self, c: UpdateCustomer) -> None:
        link = self.enterprises.link(c.enterprise_id)
        async with self.units() as uow:
            previous = await uow.customer_updates.get(c.command_id)
        if previous is not None and previous.state in ("sending", "unknown"):
            # A write may have left without its answer: read only once it has settled.
            since = self.clock() - (previous.sent_at or previous.updated_at)
            if since < self.settle:
                raise Retry(f"edit {c.edit_id} was sent {since} ago; too early to read it back")
        customer = await self._read_customer(link, c)
        if customer is None:
            missing = [EditFieldOutcome(field=ch.field, outcome="failed") for ch in c.changes]
            await self._report_edit(
                c, missing, failure_reason="the customer is not in Mews", permanent=True
            )
            return
        plan = customer_edits.plan(c.changes, customer)
        if not plan.to_write:
            await self._report_edit(
                c, plan.decided, mews_updated_utc=customer.updated_utc, ledger_state="applied"
            )
            return
        request = customer_edits.update_request(c.customer_id, plan.to_write)
        async with self.units() as uow:
            await uow.customer_updates.start(
                {
                    "command_id": c.command_id,
                    "enterprise_id": c.enterprise_id,
                    "customer_id": c.customer_id,
                    "edit_id": c.edit_id,
                    "sent_at": self.clock(),
                }
            )
            await uow.commit()
        # Committed: from here a crash leaves "sending", and the next delivery reads it back.
        try:
            answer = await link.client.update_customer(request)
        except MewsOutcomeUnknown as exc:
            await self._finish_customer_attempt(c, "unknown", exc)
            raise Retry(f"edit {c.edit_id}: outcome unknown ({exc}); reading it back next") from exc
        except PERMANENT as exc:
            log.warning("Mews refused edit %s of customer %s: %s", c.edit_id, c.customer_id, exc)
            refused = [
                EditFieldOutcome(field=name, outcome="failed", mews_value=None)
                for name in plan.to_write
            ]
            await self._report_edit(
                c,
                [*plan.decided, *refused],
                mews_updated_utc=customer.updated_utc,
                failure_reason=_message(exc),
                permanent=True,
                ledger_state="failed",
                exc=exc,
            )
            return
        except MewsUnauthorized as exc:
            await self._finish_customer_attempt(c, "not_sent", exc)
            raise self.token_refused(c.enterprise_id, exc) from exc
        except MewsError as exc:
            await self._finish_customer_attempt(c, "not_sent", exc)
            raise Retry(f"edit {c.edit_id} not sent: {exc}") from exc
        outcomes = [*plan.decided, *customer_edits.written(plan.to_write, answer)]
        await self._report_edit(
            c,
            outcomes,
            written=True,
            mews_updated_utc=answer.updated_utc,
            ledger_state="applied",
        )
        log.info("edit %s of customer %s written to Mews", c.edit_id, c.customer_id)

    async def _read_customer(self, link: EnterpriseLink, c: UpdateCustomer) -> Customer | None:
        async def fetch(ids: list[str]) -> list[Customer]:
            return await link.client.get_customers(CustomersGetAll(customer_ids=ids)).collect()

        try:
            return await self.customer_reads.read(c.enterprise_id, fetch, c.customer_id)
        except MewsUnauthorized as exc:
            raise self.token_refused(c.enterprise_id, exc) from exc
        except PERMANENT:
            return None
        except MewsError as exc:
            raise Retry(f"cannot read customer {c.customer_id}: {exc}") from exc

    async def _finish_customer_attempt(self, c: UpdateCustomer, state: str, exc: MewsError) -> None:
        async with self.units() as uow:
            await uow.customer_updates.finish(c.command_id, {"state": state, **mews_answer(exc)})
            await uow.commit()

    async def _report_edit(
        self,
        c: UpdateCustomer,
        outcomes: list[EditFieldOutcome],
        *,
        written: bool = False,
        mews_updated_utc: datetime | None = None,
        failure_reason: str | None = None,
        permanent: bool = False,
        ledger_state: str | None = None,
        exc: MewsError | None = None,
    ) -> None:
        """The round's result to guests, with the inbox claim and the ledger's last word."""
        assert c.edit_id is not None
        command_id = f"guest-edit-result:{c.command_id}"
        result = RecordGuestEditResult(
            command_id=command_id,
            enterprise_id=c.enterprise_id,
            issued_at=self.clock(),
            edit_id=c.edit_id,
            edit_round=c.edit_round,
            customer_mews_id=c.customer_id,
            outcomes=tuple(outcomes),
            written=written,
            mews_updated_utc=mews_updated_utc,
            failure_reason=failure_reason,
            permanent=permanent,
        )
        async with self.units() as uow:
            if not await uow.claim(c.command_id, consumer=UPDATE_CUSTOMER_CONSUMER):
                return
            if ledger_state is not None:
                await uow.customer_updates.finish(
                    c.command_id, {"state": ledger_state, **mews_answer(exc)}
                )
            await uow.queue(RECORD_GUEST_EDIT_RESULT.format(), result, msg_id=command_id)
            await uow.commit()

    # --- plain customer updates ----------------------------------------------------------

    async def _update_customer_plainly(
        self, c: UpdateCustomer, *, last_delivery: bool = False
    ) -> None:
        """customers/update of `email`, `phone`, `notes` as given. Setting the same values
        twice is harmless, so an unknown outcome is simply sent again; the ledger keeps
        every outcome."""
        if await processed(self.units, c.command_id, consumer=UPDATE_CUSTOMER_CONSUMER):
            return
        link = self.enterprises.link(c.enterprise_id)
        async with self.units() as uow:
            await uow.customer_updates.start(
                {
                    "command_id": c.command_id,
                    "enterprise_id": c.enterprise_id,
                    "customer_id": c.customer_id,
                }
            )
            await uow.commit()
        request = CustomersUpdate(
            customer_id=c.customer_id, email=c.email, phone=c.phone, notes=c.notes
        )
        try:
            await link.client.update_customer(request)
        except PERMANENT as exc:
            log.warning("Mews refused the update of customer %s: %s", c.customer_id, exc)
            await self._finish_customer(c, "failed", exc)
            return
        except MewsError as exc:
            state = "unknown" if isinstance(exc, MewsOutcomeUnknown) else "not_sent"
            if isinstance(exc, MewsUnauthorized):
                self.enterprises.mark_unauthorized(c.enterprise_id, exc)
            if last_delivery and not isinstance(exc, MewsUnauthorized):
                log.error(  # noqa: TRY400 - the reason is the Mews error, not a traceback
                    "giving up on the update of customer %s: %s", c.customer_id, exc
                )
                await self._finish_customer(c, "failed", exc)
                return
            async with self.units() as uow:
                await uow.customer_updates.finish(
                    c.command_id, {"state": state, **mews_answer(exc)}
                )
                await uow.commit()
            raise Retry(f"customer update {c.command_id}: {exc}") from exc
        await self._finish_customer(c, "applied", None)
        log.info("customer %s updated in Mews", c.customer_id)

    async def _finish_customer(self, c: UpdateCustomer, state: str, exc: MewsError | None) -> None:
        async with self.units() as uow:
            if not await uow.claim(c.command_id, consumer=UPDATE_CUSTOMER_CONSUMER):
                return
            await uow.customer_updates.finish(c.command_id, {"state": state, **mews_answer(exc)})
            await uow.commit()
