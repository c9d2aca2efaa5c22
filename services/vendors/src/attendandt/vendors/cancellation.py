"""Cancelling a charge (a manager's undo): what happens, by where the charge is. Plain
Python, no I/O; the service applies the step.

- held for approval, or refused by Mews for good: it never reached the guest's bill, so it
  is cancelled at once, without Mews;
- being posted (pending): it may be on the bill any moment, so it waits ("cancelling") and
  is taken back once the posting's answer is in (posted: from Mews; refused: without it);
- posted, or failed without Mews's final word (the publisher gave up while an answer was
  lost: it may be there after all), or a cancellation that failed: the publisher takes it back
  from Mews (CancelCharge), once;
- already being cancelled, or cancelled: nothing new, the charge is answered as it is;
- rejected: there is nothing to undo.

A cancelled charge of a fulfilled booking refunds the booking.
"""

from __future__ import annotations

import enum

from attendandt.contracts.snapshots import ChargeState

#: Who the audit names for what Mews did with a manager's request.
MEWS_ACTOR = "mews-publisher"


class Step(enum.Enum):
    ANSWER_AS_IS = "answer_as_is"
    CANCEL_WITHOUT_MEWS = "cancel_without_mews"
    WAIT_FOR_POSTING = "wait_for_posting"
    TAKE_BACK = "take_back"


class NothingToCancel(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def step_for(state: ChargeState, *, failure_permanent: bool) -> Step:
    if state in (ChargeState.CANCELLING, ChargeState.CANCELLED):
        return Step.ANSWER_AS_IS
    if state is ChargeState.REJECTED:
        raise NothingToCancel("it was rejected and never reached the guest's bill")
    if state is ChargeState.PENDING_APPROVAL:
        return Step.CANCEL_WITHOUT_MEWS
    if state is ChargeState.FAILED and failure_permanent:
        return Step.CANCEL_WITHOUT_MEWS
    if state is ChargeState.PENDING:
        return Step.WAIT_FOR_POSTING
    return Step.TAKE_BACK  # posted, failed (maybe posted after all), cancel_failed
