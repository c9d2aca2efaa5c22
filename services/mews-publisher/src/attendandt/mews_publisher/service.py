"""Use cases: post a charge to Mews once, change a customer profile, report the outcome
(taking a charge back is `cancellation`'s).

Exactly once for `orders/add` (Mews has no idempotency key, and its cancel is restricted):

1. one worker per charge reference at a time (advisory lock), and a handled command is in
   the inbox, so a redelivery of a finished command does nothing;
2. every attempt is written to the ledger as "sending" and committed BEFORE the request
   leaves; its outcome is written after (posted / failed / unknown / not_sent);
3. an attempt left "sending" (the process died after sending) or "unknown" (timeout, lost
   answer, 5xx) is looked up in Mews by the reference in each item's ExternalIdentifier
   before anything is sent again: found → posted with that order; not found → a new attempt;
4. a reference already posted answers "posted" again with the same order, without sending;
5. a failed or not-sent attempt allows a new one (a manager's retry reuses the reference).

Results go back to vendors as RecordChargeResult through the outbox, in the transaction that
records the outcome, together with the inbox claim.

A staff edit of a guest (`UpdateCustomer` with an `edit_id`) is written once the same way,
with the customer read as the lookup: one worker per customer at a time; every delivery
first reads the customer (customers/getAll) and writes only the fields Mews still holds as
the user saw them (`customer_edits.plan`), so a field someone changed in Mews meanwhile is
a conflict, never overwritten, and a field already holding our value (an earlier attempt
whose answer was lost, or a process killed after sending) is not sent again. The write is
in the ledger ("sending", committed) before it leaves, and an attempt left "sending" or
"unknown" is read again only once it settled. `customers/update` sets values (it is
idempotent by value): should a lost write still land after the read that decided to send
again, it sets the same values twice and changes nothing more. The reads of the edits in
hand at once share one customers/getAll (`customer_reads`), so an edit costs its write plus
a share of a read: 1 + 1/n Mews calls for n edits due together (`edit_workers` of them at
most). The result goes back to guests as RecordGuestEditResult.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from attendandt.contracts.commands import (
    RECORD_CHARGE_RESULT,
    RECORD_GUEST_EDIT_RESULT,
    EditFieldOutcome,
    RecordChargeResult,
    RecordGuestEditResult,
)
from attendandt.contracts.outbound import PostCharge, UpdateCustomer
from attendandt.mews import (
    MewsBadRequest,
    MewsContentTooLarge,
    MewsError,
    MewsForbidden,
    MewsOutcomeUnknown,
    MewsUnauthorized,
    TimeInterval,
)
from attendandt.mews.models.common import AmountParameters
from attendandt.mews.models.customers import Customer, CustomersGetAll, CustomersUpdate
from attendandt.mews.models.orders import (
    OrderItemParameters,
    OrderItemsGetAll,
    OrdersAdd,
    ProductOrderParameters,
)
from attendandt.mews_publisher import customer_edits
from attendandt.mews_publisher.customer_reads import CustomerReads
from attendandt.mews_publisher.enterprises import EnterpriseLink, Enterprises, EnterpriseUnavailable
from attendandt.mews_publisher.repository import Attempt, Database, Repository
from attendandt.platform.metrics import POSTINGS

log = logging.getLogger(__name__)

SERVICE = "mews-publisher"
POST_CHARGE_CONSUMER = "mews-publisher-post-charge"
UPDATE_CUSTOMER_CONSUMER = "mews-publisher-update-customer"

#: Mews refuses these for good: the same request can never succeed.
PERMANENT = (MewsBadRequest, MewsForbidden, MewsContentTooLarge)
#: How far around our own send times a lookup searches (clocks differ; Mews's is the truth).
LOOKUP_MARGIN = timedelta(hours=1)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class AttemptState(enum.StrEnum):
    #: Written and committed before the request leaves; still so after a crash.
    SENDING = "sending"
    POSTED = "posted"
    #: Mews refused for good (400/403/413); the message says why.
    FAILED = "failed"
    #: Sent, but no trustworthy answer: look it up before any resend.
    UNKNOWN = "unknown"
    #: Certainly not applied (429, 401, connection refused, or not found on lookup).
    NOT_SENT = "not_sent"


class Retry(Exception):
    """Transient: the message is redelivered later (nak with backoff)."""


class TokenRefused(Retry):
    """Mews answered 401: the token is bad, not the charge. Never reported as a failure."""


#: Failures that never turn into a failed charge, however long they last.
NOT_THE_CHARGES_FAULT = (TokenRefused, EnterpriseUnavailable)


def order_request(p: PostCharge) -> OrdersAdd:
    """The orders/add request; every item carries the charge's reference."""
    items: list[OrderItemParameters] = []
    products: list[ProductOrderParameters] = []
    for line in p.lines:
        amount = AmountParameters(
            currency=line.currency,
            gross_value=line.unit_amount if line.amount_is_gross else None,
            net_value=None if line.amount_is_gross else line.unit_amount,
            tax_codes=list(line.tax_codes) or None,
        )
        if line.product_id is not None:
            products.append(
                ProductOrderParameters(
                    product_id=line.product_id,
                    count=line.unit_count,
                    unit_amount=amount,
                    external_identifier=p.reference,
                )
            )
        else:
            items.append(
                OrderItemParameters(
                    name=line.name,
                    unit_count=line.unit_count,
                    unit_amount=amount,
                    accounting_category_id=line.accounting_category_id,
                    external_identifier=p.reference,
                )
            )
    return OrdersAdd(
        service_id=p.service_id,
        account_id=p.account_id,
        product_orders=products or None,
        items=items or None,
        consumption_utc=p.consumption_utc,
        notes=p.notes,
        linked_reservation_id=p.linked_reservation_id,
    )


def _message(exc: MewsError) -> str:
    return exc.message[:2000]


class PublisherService:
    def __init__(
        self,
        db: Database,
        enterprises: Enterprises,
        *,
        settle_s: float = 60.0,
        clock: Clock = utc_now,
        customer_reads: CustomerReads | None = None,
    ) -> None:
        self.db = db
        self.enterprises = enterprises
        self.settle = timedelta(seconds=settle_s)
        self.clock = clock
        self.customer_reads = customer_reads or CustomerReads()

    # --- charges -------------------------------------------------------------------------

    async def post_charge(self, p: PostCharge, *, last_delivery: bool = False) -> None:
        """Post `p` once. Raises `Retry` (or another exception) when it should come back
        later; on the `last_delivery`, a transient failure is reported as a failed charge."""
        async with self.db.reference_lock(p.reference) as held:
            if not held:
                raise Retry(f"{p.reference} is being handled by another worker")
            if await self.db.processed(consumer=POST_CHARGE_CONSUMER, message_id=p.command_id):
                return
            try:
                await self._post_locked(p)
            except Exception as exc:
                if not last_delivery or isinstance(exc, NOT_THE_CHARGES_FAULT):
                    raise
                await self._give_up(p, exc)

    async def _post_locked(self, p: PostCharge) -> None:
        link = self.enterprises.link(p.enterprise_id)
        async with self.db.transaction() as repo:
            latest = await repo.latest_attempt(p.reference)
            first_sent = await repo.first_sent_at(p.reference)
        if latest is not None and latest.state == AttemptState.POSTED:
            assert latest.mews_order_id is not None
            log.info("charge %s already posted; answering again", p.charge_id)
            await self._report_posted(p, latest, latest.mews_order_id, mark=False)
            return
        if latest is not None and latest.state in (AttemptState.SENDING, AttemptState.UNKNOWN):
            assert first_sent is not None
            order_id = await self._look_up(link, p, latest, first_sent)
            if order_id is not None:
                log.info("charge %s found in Mews (order %s)", p.charge_id, order_id)
                await self._report_posted(p, latest, order_id, mark=True)
                return
            async with self.db.transaction() as repo:
                await repo.finish_attempt(
                    p.reference,
                    latest.attempt,
                    {
                        "state": AttemptState.NOT_SENT.value,
                        "mews_message": "not found in Mews when looked up",
                        "finished_at": self.clock(),
                    },
                )
        await self._send(link, p, (latest.attempt + 1) if latest is not None else 1)

    async def _send(self, link: EnterpriseLink, p: PostCharge, attempt: int) -> None:
        request = order_request(p)  # before the ledger row: a bad line never leaves "sending"
        async with self.db.transaction() as repo:
            await repo.insert_attempt(
                {
                    "reference": p.reference,
                    "attempt": attempt,
                    "enterprise_id": p.enterprise_id,
                    "charge_id": p.charge_id,
                    "command_id": p.command_id,
                    "account_id": p.account_id,
                    "service_id": p.service_id,
                    "state": AttemptState.SENDING.value,
                    "sent_at": self.clock(),
                }
            )
        # Committed: from here a crash leaves "sending", and the next delivery looks it up.
        try:
            result = await link.client.add_order(request)
        except MewsOutcomeUnknown as exc:
            await self._finish(p, attempt, AttemptState.UNKNOWN, exc)
            raise Retry(f"outcome of {p.reference} unknown ({exc}); looking it up next") from exc
        except PERMANENT as exc:
            await self._report_failed(p, attempt, exc)
            return
        except MewsUnauthorized as exc:
            await self._finish(p, attempt, AttemptState.NOT_SENT, exc)
            self.enterprises.mark_unauthorized(p.enterprise_id, exc)
            raise TokenRefused(f"token of {p.enterprise_id} refused") from exc
        except MewsError as exc:
            # 429, connection refused, 404/409...: Mews did not apply it.
            await self._finish(p, attempt, AttemptState.NOT_SENT, exc)
            raise Retry(f"{p.reference} not sent: {exc}") from exc
        async with self.db.transaction() as repo:
            if not await repo.claim(consumer=POST_CHARGE_CONSUMER, message_id=p.command_id):
                return
            await repo.finish_attempt(
                p.reference,
                attempt,
                {
                    "state": AttemptState.POSTED.value,
                    "mews_order_id": result.order_id,
                    "finished_at": self.clock(),
                },
            )
            await self._queue_result(repo, p, posted=True, order_id=result.order_id)
        log.info("charge %s posted (order %s)", p.charge_id, result.order_id)

    async def _look_up(
        self, link: EnterpriseLink, p: PostCharge, latest: Attempt, first_sent: datetime
    ) -> str | None:
        """The Mews order holding an item with our reference, or None when there is none."""
        now = self.clock()
        if now - latest.sent_at < self.settle:
            raise Retry(f"{p.reference} was sent {now - latest.sent_at} ago; too early to look up")
        request = OrderItemsGetAll(
            account_ids=[p.account_id],
            service_ids=[p.service_id],
            created_utc=TimeInterval(first_sent - LOOKUP_MARGIN, now + LOOKUP_MARGIN),
        )
        try:
            async for item in link.client.get_order_items(request):
                if item.external_identifier == p.reference and item.service_order_id:
                    return item.service_order_id
        except MewsUnauthorized as exc:
            self.enterprises.mark_unauthorized(p.enterprise_id, exc)
            raise TokenRefused(f"token of {p.enterprise_id} refused") from exc
        except MewsError as exc:
            raise Retry(f"cannot look up {p.reference}: {exc}") from exc
        return None

    async def _finish(
        self, p: PostCharge, attempt: int, state: AttemptState, exc: MewsError
    ) -> None:
        POSTINGS.labels(state.value).inc()
        async with self.db.transaction() as repo:
            await repo.finish_attempt(
                p.reference,
                attempt,
                {
                    "state": state.value,
                    "mews_message": _message(exc),
                    "mews_request_id": exc.request_id,
                    "finished_at": self.clock(),
                },
            )

    async def _report_posted(
        self, p: PostCharge, attempt: Attempt, order_id: str, *, mark: bool
    ) -> None:
        async with self.db.transaction() as repo:
            if not await repo.claim(consumer=POST_CHARGE_CONSUMER, message_id=p.command_id):
                return
            if mark:
                await repo.finish_attempt(
                    attempt.reference,
                    attempt.attempt,
                    {
                        "state": AttemptState.POSTED.value,
                        "mews_order_id": order_id,
                        "finished_at": self.clock(),
                    },
                )
            await self._queue_result(repo, p, posted=True, order_id=order_id)

    async def _report_failed(self, p: PostCharge, attempt: int, exc: MewsError) -> None:
        log.warning("Mews refused charge %s: %s", p.charge_id, exc)
        async with self.db.transaction() as repo:
            if not await repo.claim(consumer=POST_CHARGE_CONSUMER, message_id=p.command_id):
                return
            await repo.finish_attempt(
                p.reference,
                attempt,
                {
                    "state": AttemptState.FAILED.value,
                    "mews_message": _message(exc),
                    "mews_request_id": exc.request_id,
                    "finished_at": self.clock(),
                },
            )
            await self._queue_result(
                repo, p, posted=False, failure_reason=_message(exc), permanent=True
            )

    async def _give_up(self, p: PostCharge, exc: Exception) -> None:
        """Out of deliveries: the charge is reported failed (not permanently: a manager may
        retry). An attempt whose outcome is unknown stays so: that retry looks it up first."""
        reason = f"Mews could not be reached in time: {type(exc).__name__}: {exc}"[:2000]
        log.error("giving up on charge %s: %s", p.charge_id, reason)
        async with self.db.transaction() as repo:
            if not await repo.claim(consumer=POST_CHARGE_CONSUMER, message_id=p.command_id):
                return
            await self._queue_result(repo, p, posted=False, failure_reason=reason)

    async def _queue_result(
        self,
        repo: Repository,
        p: PostCharge,
        *,
        posted: bool,
        order_id: str | None = None,
        failure_reason: str | None = None,
        permanent: bool = False,
    ) -> None:
        # One result per PostCharge command: a repeat of that command repeats this id.
        command_id = f"charge-result:{p.command_id}"
        result = RecordChargeResult(
            command_id=command_id,
            enterprise_id=p.enterprise_id,
            issued_at=self.clock(),
            charge_id=p.charge_id,
            posted=posted,
            mews_order_id=order_id,
            failure_reason=failure_reason,
            permanent=permanent,
        )
        await repo.queue(subject=RECORD_CHARGE_RESULT.format(), payload=result, msg_id=command_id)
        # The charge's final word: posted, refused by Mews, or given up after every delivery.
        POSTINGS.labels("posted" if posted else "refused" if permanent else "gave_up").inc()

    # --- guest edits ---------------------------------------------------------------------

    async def update_customer(self, c: UpdateCustomer, *, last_delivery: bool = False) -> None:
        """customers/update: a staff edit (`edit_id`) judged field by field against Mews,
        else a plain write of `email`, `phone` and `notes`."""
        if c.edit_id is None:
            await self._update_customer_plainly(c, last_delivery=last_delivery)
            return
        async with self.db.reference_lock(f"customer:{c.enterprise_id}:{c.customer_id}") as held:
            if not held:
                raise Retry(f"customer {c.customer_id} is being written by another worker")
            if await self.db.processed(consumer=UPDATE_CUSTOMER_CONSUMER, message_id=c.command_id):
                return
            try:
                await self._edit_locked(c)
            except Exception as exc:
                if not last_delivery or isinstance(exc, NOT_THE_CHARGES_FAULT):
                    raise
                reason = f"Mews could not be reached in time: {type(exc).__name__}: {exc}"
                log.error(  # noqa: TRY400 - the reason is the Mews error, not a traceback
                    "giving up on edit %s: %s", c.edit_id, reason[:300]
                )
                failed = [EditFieldOutcome(field=ch.field, outcome="failed") for ch in c.changes]
                await self._report_edit(c, failed, failure_reason=reason[:2000])

    async def _edit_locked(self, c: UpdateCustomer) -> None:
        link = self.enterprises.link(c.enterprise_id)
        async with self.db.transaction() as repo:
            previous = await repo.customer_update(c.command_id)
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
        async with self.db.transaction() as repo:
            await repo.start_customer_update(
                {
                    "command_id": c.command_id,
                    "enterprise_id": c.enterprise_id,
                    "customer_id": c.customer_id,
                    "edit_id": c.edit_id,
                    "sent_at": self.clock(),
                }
            )
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
            self.enterprises.mark_unauthorized(c.enterprise_id, exc)
            raise TokenRefused(f"token of {c.enterprise_id} refused") from exc
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
            self.enterprises.mark_unauthorized(c.enterprise_id, exc)
            raise TokenRefused(f"token of {c.enterprise_id} refused") from exc
        except PERMANENT:
            return None
        except MewsError as exc:
            raise Retry(f"cannot read customer {c.customer_id}: {exc}") from exc

    async def _finish_customer_attempt(self, c: UpdateCustomer, state: str, exc: MewsError) -> None:
        async with self.db.transaction() as repo:
            await repo.finish_customer_update(
                c.command_id,
                {
                    "state": state,
                    "mews_message": _message(exc),
                    "mews_request_id": exc.request_id,
                },
            )

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
        async with self.db.transaction() as repo:
            if not await repo.claim(consumer=UPDATE_CUSTOMER_CONSUMER, message_id=c.command_id):
                return
            if ledger_state is not None:
                await repo.finish_customer_update(
                    c.command_id,
                    {
                        "state": ledger_state,
                        "mews_message": _message(exc) if exc is not None else None,
                        "mews_request_id": exc.request_id if exc is not None else None,
                    },
                )
            await repo.queue(
                subject=RECORD_GUEST_EDIT_RESULT.format(), payload=result, msg_id=command_id
            )

    # --- plain customer updates ----------------------------------------------------------

    async def _update_customer_plainly(
        self, c: UpdateCustomer, *, last_delivery: bool = False
    ) -> None:
        """customers/update of `email`, `phone`, `notes` as given. Setting the same values
        twice is harmless, so an unknown outcome is simply sent again; the ledger keeps
        every outcome."""
        if await self.db.processed(consumer=UPDATE_CUSTOMER_CONSUMER, message_id=c.command_id):
            return
        link = self.enterprises.link(c.enterprise_id)
        async with self.db.transaction() as repo:
            await repo.start_customer_update(
                {
                    "command_id": c.command_id,
                    "enterprise_id": c.enterprise_id,
                    "customer_id": c.customer_id,
                }
            )
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
            async with self.db.transaction() as repo:
                await repo.finish_customer_update(
                    c.command_id,
                    {
                        "state": state,
                        "mews_message": _message(exc),
                        "mews_request_id": exc.request_id,
                    },
                )
            raise Retry(f"customer update {c.command_id}: {exc}") from exc
        await self._finish_customer(c, "applied", None)
        log.info("customer %s updated in Mews", c.customer_id)

    async def _finish_customer(self, c: UpdateCustomer, state: str, exc: MewsError | None) -> None:
        async with self.db.transaction() as repo:
            if not await repo.claim(consumer=UPDATE_CUSTOMER_CONSUMER, message_id=c.command_id):
                return
            await repo.finish_customer_update(
                c.command_id,
                {
                    "state": state,
                    "mews_message": _message(exc) if exc is not None else None,
                    "mews_request_id": exc.request_id if exc is not None else None,
                },
            )
