"""What every use case of the publisher shares: posting a charge (`charges`), changing a
customer profile (`customer_updates`), taking a charge back (`cancellation`) and writing a
stay note (`stay_notes`) each write to Mews at most once by the same rules:

- one worker per object at a time (advisory lock), and a handled command is in the inbox;
- every write is in the ledger ("sending", committed) before it leaves, its outcome after;
- a write whose answer was lost is looked up (or read back) once it settled, before any
  resend;
- a transient failure is a `Retry` (the message comes back later); a token Mews refused is
  never the object's fault, however long it lasts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from attendandt.mews import MewsBadRequest, MewsContentTooLarge, MewsError, MewsForbidden
from attendandt.mews_publisher.enterprises import EnterpriseUnavailable

SERVICE = "mews-publisher"

#: Mews refuses these for good: the same request can never succeed.
PERMANENT = (MewsBadRequest, MewsForbidden, MewsContentTooLarge)
#: How far around our own send times a lookup searches (clocks differ; Mews's is the truth).
LOOKUP_MARGIN = timedelta(hours=1)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Retry(Exception):
    """Transient: the message is redelivered later (nak with backoff)."""


class TokenRefused(Retry):
    """Mews answered 401: the token is bad, not the charge. Never reported as a failure."""


#: Failures that never turn into a failed charge, however long they last.
NOT_THE_CHARGES_FAULT = (TokenRefused, EnterpriseUnavailable)


def _message(exc: MewsError) -> str:
    return exc.message[:2000]
