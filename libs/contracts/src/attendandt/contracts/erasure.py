"""Erasing a guest: the request, the command each holder of the guest's data gets, the
receipt each answers with, and the public event other hotel systems learn of it from.

Flow. The guests service records an erasure request (who asked, when, why; state pending)
and, in the same transaction, queues `EraseGuest` on every holder's command subject:

- `cmd.v1.guests.erase_guest`: the guests service itself. It removes the guest's personal
  data from its tables (the guest row keeps its ids and gets the request's pseudonym as its
  name; stays lose their notes; edits and timeline entries of the guest are deleted) and
  then from the streams (part `event-streams`, below). The guest row's Mews version is set to
  the end of time, so no later Mews version of the customer brings the data back.
- `cmd.v1.vendors.erase_guest`: the vendors service. Bookings and charges stay (the ledger
  must), their guest id replaced by the pseudonym and their free-text notes removed.

Each holder answers with an `ErasureReceipt` (`cmd.v1.guests.record_erasure_receipt`; the
guests service records its own parts directly): which part, what it removed and what it
pseudonymised (counts per table or stream), when. The request is pending until every part
in `ERASURE_PARTS` has a receipt. The commands travel on DOMAIN_COMMANDS (a durable work
queue): a holder that is down when the request is made takes its command when it restarts.
Each holder applies a command once (inbox by `command_id`), and a request is made once per
guest: asking again answers the request already made.

Streams (part `event-streams`, done by the guests service): JetStream cannot rewrite a
stored message, and subjects are per property, not per guest, so the guest's messages are
deleted one by one by sequence (`STREAM.MSG.DELETE`), found by reading the property's guest
subjects (`STREAM.MSG.GET` with `next_by_subj`):
- ATTENDANDT_EVENTS `attendandt.v1.<enterprise>.guest.{created,updated,merged}` whose
  `guest_id` or customer Mews id is the guest's (public guest events carry the name);
- ATTENDANDT_RESTRICTED `attendandt.restricted.v1.<enterprise>.guest.>` of the guest;
- DEAD_LETTERS whose body or headers name the guest's id, Mews id, email or phone.
Other public events name the guest only by id (stays, bookings, charges), which now leads to
the pseudonym. Work queues (DOMAIN_COMMANDS, MEWS_OUTBOX) hold a message until its consumer
takes it; backups of the streams and databases age out with their own cycle (see
deploy/README.md).

Hotel systems learn of an erasure from `attendandt.v1.<enterprise>.guest.erased`
(`GuestErased`): a `GuestEvent` whose guest is the pseudonym (no personal data), so a
subscriber to `attendandt.v1.*.guest.>` decodes it like any guest event and should erase
its own copy of the guest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from attendandt.contracts.base import Payload, Subject
from attendandt.contracts.events import GuestEvent

#: Every part of an erasure that answers with a receipt.
ERASURE_PARTS: tuple[str, ...] = ("guests", "event-streams", "vendors")

#: Who asked: a staff member, Mews (the customer was deleted there), the retention schedule.
ErasureSource = Literal["staff", "mews", "retention"]


class _ErasureCommand(Payload, frozen=True, kw_only=True):
    # The fields of `commands.Command` (which lists these among the known commands).
    command_id: str
    enterprise_id: str
    issued_at: datetime


class EraseGuest(_ErasureCommand, frozen=True, kw_only=True):
    """Remove or pseudonymise everything this holder keeps about one guest."""

    SCHEMA = "erasure.erase_guest"
    request_id: str
    #: Our guest id (what other services keep) and the Mews customer id.
    guest_id: str
    customer_mews_id: str | None = None
    #: What stands in for the guest where a record must stay (charges, bookings).
    pseudonym: str


class ErasureReceipt(_ErasureCommand, frozen=True, kw_only=True):
    """A holder's answer to `EraseGuest`: what it did, and when."""

    SCHEMA = "erasure.receipt"
    request_id: str
    #: One of `ERASURE_PARTS`.
    part: str
    #: Rows or messages deleted, per table or stream.
    removed: dict[str, int] = {}
    #: Rows kept with the pseudonym in place of the guest, per table.
    pseudonymised: dict[str, int] = {}
    done_at: datetime


class GuestErased(GuestEvent, frozen=True, kw_only=True):
    """Public: the guest was erased; `guest` is the pseudonym only (no personal data)."""

    SCHEMA = "guest.erased"
    request_id: str


ERASE_GUEST_IN_GUESTS = Subject("cmd.v1.guests.erase_guest", EraseGuest)
ERASE_GUEST_IN_VENDORS = Subject("cmd.v1.vendors.erase_guest", EraseGuest)
RECORD_ERASURE_RECEIPT = Subject("cmd.v1.guests.record_erasure_receipt", ErasureReceipt)
GUEST_ERASED = Subject("attendandt.v1.{enterprise}.guest.erased", GuestErased)
