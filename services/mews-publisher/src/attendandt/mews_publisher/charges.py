"""Use case: post a charge to Mews once, and report the outcome (taking a charge back is
`cancellation`'s).

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
"""

from __future__ import annotations

import enum
import logging
from datetime import datetime

from attendandt.contracts.commands import RECORD_CHARGE_RESULT, RecordChargeResult
from attendandt.contracts.outbound import PostCharge
from attendandt.mews import MewsError, MewsOutcomeUnknown, MewsUnauthorized, TimeInterval
from attendandt.mews.models.orders import OrderItemsGetAll
from attendandt.mews_publisher.enterprises import EnterpriseLink
from attendandt.mews_publisher.order_requests import order_request
from attendandt.mews_publisher.repository import Attempt
from attendandt.mews_publisher.service import LOOKUP_MARGIN, PERMANENT, Retry, _message
from attendandt.mews_publisher.unit_of_work import UnitOfWork
from attendandt.mews_publisher.writes import MewsWrites, give_up_reason, mews_answer
from attendandt.platform.metrics import POSTINGS

log = logging.getLogger(__name__)

POST_CHARGE_CONSUMER = "mews-publisher-post-charge"


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


class ChargePosting(MewsWrites):
    async def post_charge(self, p: PostCharge, *, last_delivery: bool = False) -> None:
        """Post `p` once. Raises `Retry` (or another exception) when it should come back
        later; on the `last_delivery`, a transient failure is reported as a failed charge."""
        await self.once(
            p.reference,
            p.command_id,
            consumer=POST_CHARGE_CONSUMER,
            busy=f"{p.reference} is being handled by another worker",
            write=lambda: self._post_locked(p),
            give_up=lambda exc: self._give_up(p, exc),
            last_delivery=last_delivery,
        )

    async def _post_locked(self, p: PostCharge) -> None:
        link = self.enterprises.link(p.enterprise_id)
        async with self.units() as uow:
            latest = await uow.attempts.latest(p.reference)
            first_sent = await uow.attempts.first_sent_at(p.reference)
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
            async with self.units() as uow:
                await uow.attempts.finish(
                    p.reference,
                    latest.attempt,
                    {
                        "state": AttemptState.NOT_SENT.value,
                        "mews_message": "not found in Mews when looked up",
                        "finished_at": self.clock(),
                    },
                )
                await uow.commit()
        await self._send(link, p, (latest.attempt + 1) if latest is not None else 1)

    async def _send(self, link: EnterpriseLink, p: PostCharge, attempt: int) -> None:
        request = order_request(p)  # before the ledger row: a bad line never leaves "sending"
        async with self.units() as uow:
            await uow.attempts.add(
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
            await uow.commit()
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
            raise self.token_refused(p.enterprise_id, exc) from exc
        except MewsError as exc:
            # 429, connection refused, 404/409...: Mews did not apply it.
            await self._finish(p, attempt, AttemptState.NOT_SENT, exc)
            raise Retry(f"{p.reference} not sent: {exc}") from exc
        async with self.units() as uow:
            # Mews applied it: the ledger says so whatever the inbox says, so that no attempt
            # is left "sending" for a later delivery or a manager's retry to look up again.
            await uow.attempts.finish(
                p.reference,
                attempt,
                {
                    "state": AttemptState.POSTED.value,
                    "mews_order_id": result.order_id,
                    "finished_at": self.clock(),
                },
            )
            if await uow.claim(p.command_id, consumer=POST_CHARGE_CONSUMER):
                await self._queue_result(uow, p, posted=True, order_id=result.order_id)
            await uow.commit()
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
            raise self.token_refused(p.enterprise_id, exc) from exc
        except MewsError as exc:
            raise Retry(f"cannot look up {p.reference}: {exc}") from exc
        return None

    async def _finish(
        self, p: PostCharge, attempt: int, state: AttemptState, exc: MewsError
    ) -> None:
        POSTINGS.labels(state.value).inc()
        async with self.units() as uow:
            await uow.attempts.finish(
                p.reference,
                attempt,
                {"state": state.value, **mews_answer(exc), "finished_at": self.clock()},
            )
            await uow.commit()

    async def _report_posted(
        self, p: PostCharge, attempt: Attempt, order_id: str, *, mark: bool
    ) -> None:
        async with self.units() as uow:
            if not await uow.claim(p.command_id, consumer=POST_CHARGE_CONSUMER):
                return
            if mark:
                await uow.attempts.finish(
                    attempt.reference,
                    attempt.attempt,
                    {
                        "state": AttemptState.POSTED.value,
                        "mews_order_id": order_id,
                        "finished_at": self.clock(),
                    },
                )
            await self._queue_result(uow, p, posted=True, order_id=order_id)
            await uow.commit()

    async def _report_failed(self, p: PostCharge, attempt: int, exc: MewsError) -> None:
        log.warning("Mews refused charge %s: %s", p.charge_id, exc)
        async with self.units() as uow:
            if not await uow.claim(p.command_id, consumer=POST_CHARGE_CONSUMER):
                return
            await uow.attempts.finish(
                p.reference,
                attempt,
                {
                    "state": AttemptState.FAILED.value,
                    **mews_answer(exc),
                    "finished_at": self.clock(),
                },
            )
            await self._queue_result(
                uow, p, posted=False, failure_reason=_message(exc), permanent=True
            )
            await uow.commit()

    async def _give_up(self, p: PostCharge, exc: Exception) -> None:
        """Out of deliveries: the charge is reported failed (not permanently: a manager may
        retry). An attempt whose outcome is unknown stays so: that retry looks it up first."""
        reason = give_up_reason(exc)[:2000]
        log.error("giving up on charge %s: %s", p.charge_id, reason)
        async with self.units() as uow:
            if not await uow.claim(p.command_id, consumer=POST_CHARGE_CONSUMER):
                return
            await self._queue_result(uow, p, posted=False, failure_reason=reason)
            await uow.commit()

    async def _queue_result(
        self,
        uow: UnitOfWork,
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
        await uow.queue(RECORD_CHARGE_RESULT.format(), result, msg_id=command_id)
        # The charge's final word: posted, refused by Mews, or given up after every delivery.
        POSTINGS.labels("posted" if posted else "refused" if permanent else "gave_up").inc()
