"""The guests service's use cases: apply Mews customers, reservations and rooms, record the vendor
events of a guest's timeline, answer the gateway's queries.

Every query is answered for the caller the gateway authenticated: another property's guest or
stay is "not found" (never "forbidden": that would tell it exists) and a list of another
property is empty. A vendor user sees only the guests and stays its vendor has bookings with
(filtered in SQL) and only their names, rooms and stay dates: the personal fields come back
empty and there is no timeline. The booking events that say which those are also arrive here
(`record_booking`), in the same transaction as the timeline entry.

Each command runs in one transaction: the inbox claim (by command id), the effect and the
outbox row announcing it commit together or not at all. Mews data is last-write-wins on its
`UpdatedUtc`; a repeat or an older version changes nothing and announces nothing.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.contracts.caller import Caller
from attendandt.contracts.commands import UpsertGuest, UpsertProperty, UpsertRoom, UpsertStay
from attendandt.contracts.events import STAY_EVENT, BookingEvent, ChargeEvent, StayEvent
from attendandt.contracts.privacy import public_stay
from attendandt.contracts.rpc.guests import (
    CONTACT_READ,
    PUBLIC_STAY_PERMISSIONS,
    DayStaysRequest,
    GetGuestRequest,
    GetStayRequest,
    GuestDetail,
    GuestPage,
    GuestView,
    ListPropertiesRequest,
    MewsVersions,
    MewsVersionsRequest,
    PropertyList,
    PublicStay,
    PublicStayRequest,
    SearchGuestsRequest,
    StayDetail,
    StayPage,
    StayView,
    TimelineEntry,
)
from attendandt.contracts.snapshots import (
    BookingSnapshot,
    ChargeSnapshot,
    GuestSnapshot,
    RoomSnapshot,
    StaySnapshot,
    StayState,
)
from attendandt.guests import edit_repository as er
from attendandt.guests import guest_read_repository as gr
from attendandt.guests import property_repository as pr
from attendandt.guests import stay_read_repository as sr
from attendandt.guests import stored_stay_repository as ssr
from attendandt.guests import timeline_repository as tr
from attendandt.guests import upsert_repository as ur
from attendandt.guests import vendor_booking_repository as vbr
from attendandt.guests import version_repository as vr
from attendandt.guests.bills import StayBills
from attendandt.guests.day_lists import DayList, HotelDay, local_date, local_day_bounds
from attendandt.guests.editing import SETTLED_SHOWN, Editing
from attendandt.guests.guest_versions import apply_version, event_name, version_key
from attendandt.guests.models import inbox, outbox
from attendandt.guests.stay_notes import StayNotes, recognise_note_echo, writes_of_stay
from attendandt.platform.inbox import claim
from attendandt.platform.outbox import add
from attendandt.platform.rpc import Forbidden, Invalid, NotFound

Clock = Callable[[], datetime]

_TOKEN = re.compile(r"^[A-Za-z0-9_\-]+$")
_PHONE_CHARS = re.compile(r"^[\d\s+()./\-]+$")
#: A phone search needs this many digits: fewer would match half the hotel.
PHONE_MIN_DIGITS = 5
#: The zone of a day list while its property is not known yet.
DEFAULT_ZONE = "UTC"
#: Stands in for a hotel configuration without UpdatedUtc: any dated one is newer.
_UNDATED = datetime(1970, 1, 1, tzinfo=UTC)


class Applied(enum.StrEnum):
    """What a command did."""

    APPLIED = "applied"
    #: The stored Mews version is as new or newer: nothing changed.
    STALE = "stale"
    #: This command id was processed before: nothing changed.
    DUPLICATE = "duplicate"


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


# --------------------------------------------------------------------------- pure decisions


#: The event of a guest's new version (created / updated / merged).
guest_event_name = event_name


def stay_event_name(previous: StayState | None, state: StayState) -> str:
    """The event for a stay moving from `previous` (None: new) to `state`.

    A change of state into started / processed / canceled is a check-in / check-out /
    cancellation, also for a stay we see for the first time in that state (a walk-in checked
    in before the first sync); any other new stay is `created`, any other change `updated`.
    """
    if previous != state:
        transition = {
            StayState.STARTED: "checked_in",
            StayState.PROCESSED: "checked_out",
            StayState.CANCELED: "cancelled",
        }.get(state)
        if transition is not None:
            return transition
    return "created" if previous is None else "updated"


def stay_customers(stay: StaySnapshot) -> list[tuple[str, Literal["owner", "companion"]]]:
    """Owner first, then companions in Mews order, each customer once."""
    customers: list[tuple[str, Literal["owner", "companion"]]] = []
    seen: set[str] = set()
    if stay.owner_mews_id:
        customers.append((stay.owner_mews_id, "owner"))
        seen.add(stay.owner_mews_id)
    for mews_id in stay.companion_mews_ids:
        if mews_id and mews_id not in seen:
            customers.append((mews_id, "companion"))
            seen.add(mews_id)
    return customers


def parse_search(
    query: str, *, personal: bool = True, today_ends: datetime | None = None
) -> gr.GuestSearch | None:
    """What a search box query can mean (None: list everyone). Without `personal` (a
    vendor's search) it never matches an email or a phone: a hit would reveal them.
    `today_ends`: the hotel's next midnight, until which a stay due in counts as in its room."""
    typed = " ".join(query.split())
    if not typed:
        return None
    lowered = typed.lower()
    words = lowered.split(" ")
    pairs: list[tuple[str, str]] = []
    if len(words) > 1:
        pairs.append((" ".join(words[:-1]), words[-1]))
        if len(words) > 2:
            pairs.append((words[0], " ".join(words[1:])))
    digits = re.sub(r"\D", "", typed)
    phone = None
    if personal and len(digits) >= PHONE_MIN_DIGITS and _PHONE_CHARS.match(typed):
        phone = digits[::-1]
    return gr.GuestSearch(
        prefix=lowered,
        name_pairs=tuple(pairs),
        phone_reversed=phone,
        room_or_number=None if "@" in typed else typed,
        email=personal,
        today_ends=today_ends,
    )


class View(msgspec.Struct, frozen=True, kw_only=True):
    """What a caller may see of the guests: whose (`vendor_id`: only what that vendor has
    bookings with; None: every guest of the property) and how much (`personal`: contact
    details, birth date, notes, company, the timeline)."""

    vendor_id: str | None
    personal: bool

    def guest(self, guest: GuestView) -> GuestView:
        if self.personal:
            return guest
        return msgspec.structs.replace(
            guest,
            email=None,
            phone=None,
            language_code=None,
            nationality_code=None,
            birth_date=None,
            classifications=(),
            company_mews_id=None,
            notes=None,
            sync_state="in_step",
        )

    def stay(self, stay: StayView) -> StayView:
        if self.personal:
            return stay
        # Notes are free text about the guests (health, diet); the room's housekeeping
        # state and its type are the hotel's own business.
        return msgspec.structs.replace(
            stay, company_mews_id=None, notes=(), room_state=None, room_category=None
        )


def view_of(caller: Caller) -> View:
    """A vendor user sees its vendor's guests only, never their personal details; staff see
    the property's guests, with personal details when their role grants `guests:contact:read`."""
    if caller.is_vendor:
        if caller.vendor_id is None:
            raise Forbidden("a vendor user without a vendor sees no guests")
        return View(vendor_id=caller.vendor_id, personal=False)
    return View(vendor_id=None, personal=caller.can(CONTACT_READ))


def hotel_zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise Invalid(
            f"unknown time zone {timezone!r}: use an IANA name like Europe/Prague"
        ) from exc


async def _zone_of(session: AsyncSession, enterprise_id: str, asked: str | None) -> str:
    """The zone a caller named, else the property's own (its Mews time zone), else UTC while
    the property is not known yet. Only for a caller who may act for the property."""
    if asked is not None:
        return asked
    return await pr.property_time_zone(session, enterprise_id) or DEFAULT_ZONE


def day_window(day: date, timezone: str) -> tuple[datetime, datetime]:
    """From the local midnight of `day` to the next one, in UTC (DST days are 23 or 25 h)."""
    return local_day_bounds(day, hotel_zone(timezone))


def encode_cursor(key: tuple[Any, ...]) -> str:
    parts = [part.isoformat() if isinstance(part, datetime) else part for part in key]
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode()


def decode_cursor(cursor: str, size: int) -> list[str]:
    try:
        parts = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error) as exc:
        raise Invalid("cursor is not one this service gave out") from exc
    if (
        not isinstance(parts, list)
        or len(parts) != size
        or not all(isinstance(p, str) for p in parts)
    ):
        raise Invalid("cursor is not one this service gave out")
    return parts


def _uuid(value: str, what: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise Invalid(f"{what} {value!r} is not a valid id") from exc


def _aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise Invalid(f"{what} has no time zone: send UTC times with an offset or Z")


def _check_command(enterprise_id: str, mews_id: str, updated: datetime) -> None:
    if not _TOKEN.match(enterprise_id):
        raise Invalid(f"enterprise_id {enterprise_id!r} is not a single subject token")
    if not mews_id.strip():
        raise Invalid("mews_id is empty")
    _aware(updated, "mews_updated_utc")


def _read_version(
    command: UpsertGuest | UpsertStay | UpsertRoom,
    snapshot: GuestSnapshot | StaySnapshot | RoomSnapshot,
) -> vr.MewsVersion:
    """The version a command carries: sync issues it right after reading Mews, so its
    `issued_at` is when this content was read."""
    return vr.MewsVersion(snapshot.mews_updated_utc, command.issued_at, snapshot.digest())


async def _announce_stay(
    session: AsyncSession,
    enterprise: str,
    stay_id: str,
    stay: StaySnapshot,
    customers: list[str],
    *,
    name: str,
    event_id: str,
    correlation_id: str | None,
) -> None:
    """The stay's event, in the outbox, with the ids of the customers we know as guests."""
    await add(
        session,
        outbox,
        subject=STAY_EVENT.format(enterprise=enterprise, event=name),
        payload=StayEvent(
            event_id=event_id,
            enterprise_id=enterprise,
            occurred_at=stay.mews_updated_utc,
            event=name,
            stay_id=stay_id,
            stay=public_stay(stay),
            guest_ids=await _known_guests(session, enterprise, customers),
        ),
        msg_id=event_id,
        correlation_id=correlation_id,
    )


async def _known_guests(
    session: AsyncSession, enterprise: str, customers: list[str]
) -> tuple[str, ...]:
    """Our guest ids of a stay's customers (in their order), those we know as guests."""
    known = await ssr.guest_ids_by_mews_id(session, enterprise, customers)
    return tuple(known[m] for m in customers if m in known)


_version_key = version_key


def _one_of(first: str | None, second: str | None, names: str) -> None:
    if (first is None) == (second is None):
        raise Invalid(f"give exactly one of {names}")


# --------------------------------------------------------------------------- the service


class GuestsService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Clock = utc_now,
        make_id: Callable[[], str] = new_id,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._make_id = make_id
        self.editing = Editing(sessions, clock=clock, make_id=make_id)
        self.edit_guest = self.editing.edit_guest
        self.resolve_conflicts = self.editing.resolve_conflicts
        self.record_edit_result = self.editing.record_result
        self.edit_rules = self.editing.edit_rules
        self.set_edit_rules = self.editing.set_edit_rules
        self.bills = StayBills(sessions, clock=clock)
        self.upsert_stay_bill = self.bills.upsert
        self.stay_bill = self.bills.stay_bill
        self.stay_notes = StayNotes(sessions, clock=clock, make_id=make_id)
        self.write_stay_note = self.stay_notes.write_stay_note
        self.record_stay_note_result = self.stay_notes.record_result

    # ----------------------------------------------------------------- commands

    async def upsert_guest(self, command: UpsertGuest, *, consumer: str) -> Applied:
        guest = command.guest
        enterprise = command.enterprise_id
        _check_command(enterprise, guest.mews_id, guest.mews_updated_utc)
        async with self._sessions() as session, session.begin():
            if not await claim(session, inbox, consumer=consumer, message_id=command.command_id):
                return Applied.DUPLICATE
            await vr.lock_mews_entity(session, "customer", enterprise, guest.mews_id)
            previous = await ur.stored_guest(session, enterprise, guest.mews_id)
            version = _read_version(command, guest)
            if previous is not None and not version.is_newer_than(previous.version):
                return Applied.STALE
            guest_id = await apply_version(
                session,
                enterprise=enterprise,
                previous=previous,
                guest=guest,
                version=version,
                guest_id=previous.guest_id if previous else self._make_id(),
                synced_at=self._clock(),
                correlation_id=command.command_id,
            )
            if guest_id is None:
                return Applied.STALE
            if previous is None:
                await self._announce_stays_naming(
                    session, enterprise, guest_id, guest.mews_id, command.command_id
                )
        return Applied.APPLIED

    async def _announce_stays_naming(
        self,
        session: AsyncSession,
        enterprise: str,
        guest_id: str,
        mews_id: str,
        correlation_id: str,
    ) -> None:
        """A customer seen for the first time may already be on stays applied before it
        (sync applies reservations and customers independently): announce those stays again,
        same version, with the guest list that now includes it, so a subscriber that keeps
        a stay's guests (vendors, before it lets a guest of the stay be booked) learns it."""
        for stay_id, stay, version, customers in await ssr.stays_naming_customer(
            session, enterprise, mews_id
        ):
            await _announce_stay(
                session,
                enterprise,
                stay_id,
                stay,
                [customer for customer, _ in customers],
                name="updated",
                event_id=f"stay:{stay_id}:{_version_key(version)}:guest:{guest_id}",
                correlation_id=correlation_id,
            )

    async def upsert_stay(self, command: UpsertStay, *, consumer: str) -> Applied:
        stay = command.stay
        enterprise = command.enterprise_id
        _check_command(enterprise, stay.mews_id, stay.mews_updated_utc)
        for what, value in (
            ("scheduled_start_utc", stay.scheduled_start_utc),
            ("scheduled_end_utc", stay.scheduled_end_utc),
            ("actual_start_utc", stay.actual_start_utc),
            ("actual_end_utc", stay.actual_end_utc),
            ("cancelled_utc", stay.cancelled_utc),
        ):
            if value is not None:
                _aware(value, what)
        customers = stay_customers(stay)
        async with self._sessions() as session, session.begin():
            if not await claim(session, inbox, consumer=consumer, message_id=command.command_id):
                return Applied.DUPLICATE
            await vr.lock_mews_entity(session, "reservation", enterprise, stay.mews_id)
            previous = await ur.stored_stay(session, enterprise, stay.mews_id)
            version = _read_version(command, stay)
            if previous is not None and not version.is_newer_than(previous.version):
                return Applied.STALE
            echo = previous is not None and await recognise_note_echo(
                session, enterprise, previous.stay_id, stay, at=self._clock()
            )
            stay_id = await ur.upsert_stay(
                session,
                stay_id=previous.stay_id if previous else self._make_id(),
                enterprise_id=enterprise,
                stay=stay,
                version=version,
                synced_at=self._clock(),
            )
            if stay_id is None:
                return Applied.STALE
            await ur.replace_stay_guests(
                session, stay_id=stay_id, enterprise_id=enterprise, customers=customers
            )
            if echo:
                # Stored, so the order of versions holds; our own note is no news from Mews.
                return Applied.APPLIED
            name = stay_event_name(previous.state if previous else None, stay.state)
            await _announce_stay(
                session,
                enterprise,
                stay_id,
                stay,
                [mews_id for mews_id, _ in customers],
                name=name,
                event_id=f"stay:{stay_id}:{_version_key(version)}",
                correlation_id=command.command_id,
            )
        return Applied.APPLIED

    async def upsert_property(self, command: UpsertProperty, *, consumer: str) -> Applied:
        """A hotel as Mews describes it; last write wins like a guest (UpdatedUtc, then when
        sync read it, then the content's digest). A hotel whose time zone is not an IANA
        name is refused: every day list of it would be wrong."""
        prop = command.property
        enterprise = command.enterprise_id
        if not _TOKEN.match(enterprise):
            raise Invalid(f"enterprise_id {enterprise!r} is not a single subject token")
        if prop.enterprise_id != enterprise:
            raise Invalid(
                f"the property {prop.enterprise_id!r} is not the command's {enterprise!r}"
            )
        hotel_zone(prop.time_zone)
        if prop.mews_updated_utc is not None:
            _aware(prop.mews_updated_utc, "mews_updated_utc")
        version = vr.MewsVersion(
            prop.mews_updated_utc or _UNDATED, command.issued_at, prop.digest()
        )
        async with self._sessions() as session, session.begin():
            if not await claim(session, inbox, consumer=consumer, message_id=command.command_id):
                return Applied.DUPLICATE
            await vr.lock_mews_entity(session, "property", enterprise, enterprise)
            stored = await pr.stored_property_version(session, enterprise)
            if stored is not None:
                updated, read_at, digest = stored
                previous = vr.MewsVersion(updated or _UNDATED, read_at, digest)
                if not version.is_newer_than(previous):
                    return Applied.STALE
            await pr.put_property(
                session,
                prop=prop,
                read_at=command.issued_at,
                digest=version.digest or "",
                synced_at=self._clock(),
            )
        return Applied.APPLIED

    async def upsert_room(self, command: UpsertRoom, *, consumer: str) -> Applied:
        """A room's name and housekeeping state (what stays show of their room). Nothing is
        announced: a room is no guest's or stay's news."""
        room = command.room
        enterprise = command.enterprise_id
        _check_command(enterprise, room.mews_id, room.mews_updated_utc)
        async with self._sessions() as session, session.begin():
            if not await claim(session, inbox, consumer=consumer, message_id=command.command_id):
                return Applied.DUPLICATE
            await vr.lock_mews_entity(session, "resource", enterprise, room.mews_id)
            previous = await ur.stored_room(session, enterprise, room.mews_id)
            version = _read_version(command, room)
            if previous is not None and not version.is_newer_than(previous.version):
                return Applied.STALE
            room_id = await ur.upsert_room(
                session,
                room_id=previous.room_id if previous else self._make_id(),
                enterprise_id=enterprise,
                room=room,
                version=version,
                synced_at=self._clock(),
            )
        return Applied.STALE if room_id is None else Applied.APPLIED

    # ----------------------------------------------------------------- vendor events

    async def record_booking(self, event: BookingEvent) -> bool:
        """Add a booking event to its guest's timeline; False if it was already there."""
        booking = event.booking
        return await self._record(
            event,
            kind="booking",
            ref_id=booking.booking_id,
            guest_id=booking.guest_id,
            stay_id=booking.stay_id,
            snapshot=booking,
        )

    async def record_charge(self, event: ChargeEvent) -> bool:
        """Add a charge event to its guest's timeline; False if it was already there."""
        charge = event.charge
        return await self._record(
            event,
            kind="charge",
            ref_id=charge.charge_id,
            guest_id=charge.guest_id,
            stay_id=charge.stay_id,
            snapshot=charge,
        )

    async def _record(
        self,
        event: BookingEvent | ChargeEvent,
        *,
        kind: Literal["booking", "charge"],
        ref_id: str,
        guest_id: str,
        stay_id: str | None,
        snapshot: BookingSnapshot | ChargeSnapshot,
    ) -> bool:
        if not event.event_id:
            raise Invalid("event_id is empty")
        _aware(event.occurred_at, "occurred_at")
        async with self._sessions() as session, session.begin():
            if isinstance(snapshot, BookingSnapshot):
                await vbr.record_vendor_booking(
                    session,
                    booking_id=snapshot.booking_id,
                    enterprise_id=event.enterprise_id,
                    vendor_id=snapshot.vendor_id,
                    guest_id=guest_id,
                    stay_id=stay_id,
                )
            return await tr.add_timeline_entry(
                session,
                event_id=event.event_id,
                enterprise_id=event.enterprise_id,
                guest_id=guest_id,
                kind=kind,
                ref_id=ref_id,
                stay_id=stay_id,
                event=event.event,
                occurred_at=event.occurred_at,
                snapshot=snapshot,
                recorded_at=self._clock(),
            )

    # ----------------------------------------------------------------- queries

    async def search(self, request: SearchGuestsRequest, caller: Caller) -> GuestPage:
        view = view_of(caller)
        after: gr.GuestKey | None = None
        if request.cursor is not None:
            last, first, guest_id = decode_cursor(request.cursor, 3)
            after = (last, first, _uuid(guest_id, "cursor"))
        if request.timezone is not None:
            hotel_zone(request.timezone)  # a zone that does not exist is refused to anyone
        if not caller.may_act_for(request.enterprise_id):
            return GuestPage(items=())
        now = self._clock()
        async with self._sessions() as session:
            zone = hotel_zone(await _zone_of(session, request.enterprise_id, request.timezone))
            today_ends = local_day_bounds(local_date(now, zone), zone)[1]
            found = await gr.search_guests(
                session,
                enterprise_id=request.enterprise_id,
                search=parse_search(request.query, personal=view.personal, today_ends=today_ends),
                include_inactive=request.include_inactive,
                after=after,
                limit=request.limit + 1,
                now=now,
                vendor_id=view.vendor_id,
            )
        page = found[: request.limit]
        more = len(found) > request.limit
        return GuestPage(
            items=tuple(view.guest(guest) for guest, _ in page),
            next_cursor=encode_cursor(page[-1][1]) if more else None,
        )

    async def get_guest(self, request: GetGuestRequest, caller: Caller) -> GuestDetail:
        view = view_of(caller)
        _one_of(request.guest_id, request.mews_id, "guest_id and mews_id")
        guest_id = _uuid(request.guest_id, "guest_id") if request.guest_id else None
        missing = NotFound(f"no guest {request.guest_id or request.mews_id}")
        if not caller.may_act_for(request.enterprise_id):
            raise missing
        async with self._sessions() as session:
            guest = await gr.find_guest(
                session,
                request.enterprise_id,
                guest_id=guest_id,
                mews_id=request.mews_id,
                vendor_id=view.vendor_id,
            )
            if guest is None:
                raise missing
            stays = await sr.stays_of_guest(
                session,
                request.enterprise_id,
                guest.mews_id,
                request.stays_limit,
                vendor_id=view.vendor_id,
            )
            if not view.personal:
                return GuestDetail(
                    guest=view.guest(guest), stays=tuple(view.stay(s) for s in stays)
                )
            vendor_entries = await tr.timeline_of_guest(
                session, request.enterprise_id, guest.guest_id, request.timeline_limit
            )
            edits = await er.edits_of_guest(
                session, request.enterprise_id, guest.guest_id, SETTLED_SHOWN
            )
        stay_entries = [
            TimelineEntry(
                kind="stay",
                at=at,
                event=stay.state.value,
                ref_id=stay.stay_id,
                stay_id=stay.stay_id,
            )
            for stay in stays
            if (at := stay.actual_start_utc or stay.scheduled_start_utc) is not None
        ]
        merged = sorted([*stay_entries, *vendor_entries], key=lambda e: e.at, reverse=True)
        return GuestDetail(
            guest=guest,
            stays=tuple(stays),
            timeline=tuple(merged[: request.timeline_limit]),
            edits=tuple(edits),
        )

    async def mews_versions(self, request: MewsVersionsRequest) -> MewsVersions:
        """For reconciliation (sync), not for a user: Mews ids and times, nothing personal."""
        async with self._sessions() as session:
            versions = await vr.mews_versions(
                session, request.enterprise_id, request.entity, request.mews_ids
            )
        return MewsVersions(versions=versions)

    async def get_stay(self, request: GetStayRequest, caller: Caller) -> StayDetail:
        view = view_of(caller)
        _one_of(request.stay_id, request.mews_id, "stay_id and mews_id")
        stay_id = _uuid(request.stay_id, "stay_id") if request.stay_id else None
        missing = NotFound(f"no stay {request.stay_id or request.mews_id}")
        if not caller.may_act_for(request.enterprise_id):
            raise missing
        async with self._sessions() as session:
            stay = await sr.find_stay(
                session,
                request.enterprise_id,
                stay_id=stay_id,
                mews_id=request.mews_id,
                vendor_id=view.vendor_id,
            )
            writes = await writes_of_stay(session, stay.stay_id) if stay and view.personal else ()
        if stay is None:
            raise missing
        return StayDetail(stay=view.stay(stay), note_writes=writes)

    async def public_stay(self, request: PublicStayRequest, caller: Caller) -> PublicStay:
        """The stay as its public event carries it, for a service whose copy lags: the
        owner answers, so what the caller was shown can be acted on at once."""
        missing = NotFound(f"no stay {request.stay_id}")
        if not caller.may_act_for(request.enterprise_id):
            raise missing
        if not any(caller.can(p) for p in PUBLIC_STAY_PERMISSIONS):
            raise Forbidden("only those who book or charge for a stay's guests may ask")
        stay_id = _uuid(request.stay_id, "stay_id")
        async with self._sessions() as session:
            stored = await ssr.stay_snapshot(session, request.enterprise_id, stay_id)
            if stored is None:
                raise missing
            _, stay, _, customers = stored
            guest_ids = await _known_guests(
                session, request.enterprise_id, [mews_id for mews_id, _ in customers]
            )
        return PublicStay(
            enterprise_id=request.enterprise_id,
            stay_id=stay_id,
            stay=public_stay(stay),
            guest_ids=guest_ids,
        )

    async def arrivals(self, request: DayStaysRequest, caller: Caller) -> StayPage:
        return await self._day(request, caller, "arrivals")

    async def departures(self, request: DayStaysRequest, caller: Caller) -> StayPage:
        return await self._day(request, caller, "departures")

    async def in_house(self, request: DayStaysRequest, caller: Caller) -> StayPage:
        return await self._day(request, caller, "in_house")

    async def list_properties(self, request: ListPropertiesRequest, caller: Caller) -> PropertyList:
        """The hotels the caller acts for (every known one for a portfolio-wide caller)."""
        async with self._sessions() as session:
            found = await pr.list_properties(session, caller.enterprise_ids)
        return PropertyList(items=tuple(found))

    async def _day(self, request: DayStaysRequest, caller: Caller, which: DayList) -> StayPage:
        view = view_of(caller)
        allowed = caller.may_act_for(request.enterprise_id)
        async with self._sessions() as session:
            # Another property's zone is not looked up: the answer must not tell it.
            zone = (
                await _zone_of(session, request.enterprise_id, request.timezone)
                if allowed
                else request.timezone or DEFAULT_ZONE
            )
            day = HotelDay.of(request.date, hotel_zone(zone), self._clock())
            start, end = day.start_utc, day.end_utc
            after: sr.StayKey | None = None
            if request.cursor is not None:
                at, stay_id = decode_cursor(request.cursor, 2)
                try:
                    after = (datetime.fromisoformat(at), _uuid(stay_id, "cursor"))
                except ValueError as exc:
                    raise Invalid("cursor is not one this service gave out") from exc
            if not allowed:
                return StayPage(items=(), window_start_utc=start, window_end_utc=end, timezone=zone)
            found = await sr.day_stays(
                session,
                enterprise_id=request.enterprise_id,
                which=which,
                day=day,
                include_cancelled=request.include_cancelled,
                after=after,
                limit=request.limit + 1,
                vendor_id=view.vendor_id,
            )
        page = found[: request.limit]
        more = len(found) > request.limit
        return StayPage(
            items=tuple(view.stay(stay) for stay, _ in page),
            next_cursor=encode_cursor(page[-1][1]) if more else None,
            window_start_utc=start,
            window_end_utc=end,
            timezone=zone,
        )

    async def ready(self) -> bool:
        async with self._sessions() as session:
            return await pr.database_answers(session)
