"""A stay the caller was just shown can be booked and charged at once: when vendors' copy of
the stay lags (the stay event not consumed yet, a guest added a moment ago), vendors asks the
owner (guests' `public_stay`) for the same caller and decides on its answer.

The owner here is a responder on the real broker standing in for the guests service."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from nats.aio.msg import Msg
from vendors_testkit import Harness

from attendandt.contracts.base import RpcError, decode, encode
from attendandt.contracts.caller import CALLER_HEADER, Caller, decode_caller
from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.rpc.guests import PUBLIC_STAY, PublicStay, PublicStayRequest
from attendandt.contracts.snapshots import StaySnapshot, StayState, UserRole
from attendandt.platform.rpc import STATUS_HEADER


def _desk(enterprise_id: str) -> Caller:
    return Caller(
        user_id="u-desk",
        role=UserRole.FRONT_DESK,
        permissions=("bookings:create", "charges:create"),
        enterprise_ids=(enterprise_id,),
    )


class Owner:
    """Answers `public_stay` as guests would, from `stays`; records who asked."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.stays: dict[str, PublicStay] = {}
        self.asked: list[tuple[PublicStayRequest, Caller]] = []

    def knows(self, stay_id: str, guest_ids: tuple[str, ...], updated: datetime) -> None:
        now = self.harness.clock.now
        self.stays[stay_id] = PublicStay(
            enterprise_id=self.harness.enterprise_id,
            stay_id=stay_id,
            stay=StaySnapshot(
                mews_id=f"res-{stay_id}",
                mews_updated_utc=updated,
                state=StayState.CONFIRMED,
                mews_state="Confirmed",
                scheduled_start_utc=now - timedelta(days=1),
                scheduled_end_utc=now + timedelta(days=3),
                owner_mews_id="cust-owner",
            ),
            guest_ids=guest_ids,
        )

    async def answer(self, msg: Msg) -> None:
        request = decode(msg.data, PublicStayRequest)
        self.asked.append((request, decode_caller((msg.headers or {})[CALLER_HEADER])))
        stay = self.stays.get(request.stay_id)
        if stay is None or stay.enterprise_id != request.enterprise_id:
            error = RpcError(status=404, title="Not found", detail=f"no stay {request.stay_id}")
            await self.harness.nc.publish(msg.reply, encode(error), headers={STATUS_HEADER: "404"})
            return
        await self.harness.nc.publish(msg.reply, encode(stay), headers={STATUS_HEADER: "200"})


@asynccontextmanager
async def owner_answering(harness: Harness) -> AsyncIterator[Owner]:
    owner = Owner(harness)
    subscription = await harness.nc.subscribe(PUBLIC_STAY.subject, cb=owner.answer)
    try:
        yield owner
    finally:
        await subscription.unsubscribe()


def _booking(
    offering_id: str, stay_id: str, guest_id: str, harness: Harness
) -> rpc.CreateBookingRequest:
    return rpc.CreateBookingRequest(
        offering_id=offering_id,
        guest_id=guest_id,
        stay_id=stay_id,
        quantity=1,
        scheduled_for=harness.clock.now + timedelta(hours=3),
    )


async def test_a_stay_vendors_has_not_heard_of_yet_is_booked_once_the_owner_knows_it(
    harness: Harness,
) -> None:
    offering = await harness.offering((await harness.vendor()).vendor_id)
    desk = _desk(harness.enterprise_id)
    request = _booking(offering.offering_id, "s-new", "g-1", harness)

    # Nobody knows the stay: refused, with the reason.
    failure = await harness.fails_as(desk, rpc.CREATE_BOOKING, request)
    assert failure.error.status == 422
    assert "stay s-new is not known" in (failure.error.detail or "")

    async with owner_answering(harness) as owner:
        # The owner does not know it either: still refused.
        assert (await harness.fails_as(desk, rpc.CREATE_BOOKING, request)).error.status == 422
        assert [asked.stay_id for asked, _ in owner.asked] == ["s-new"]

        # The reservation reached guests (and the gateway) before vendors' copy: booked.
        owner.knows("s-new", ("g-1",), datetime(2026, 2, 1, tzinfo=UTC))
        booking = (await harness.call_as(desk, rpc.CREATE_BOOKING, request)).booking
        assert booking.stay_id == "s-new"
        assert booking.state == "requested"
        # Asked for the same caller, never for more.
        assert owner.asked[-1][1] == desk
        (row,) = await harness.sql(
            "SELECT guest_ids, state FROM vendors.stay_refs WHERE stay_id = 's-new'"
        )
        assert list(row["guest_ids"]) == ["g-1"]


async def test_a_guest_just_added_to_a_stay_can_be_charged_and_an_older_answer_changes_nothing(
    harness: Harness,
) -> None:
    offering = await harness.offering((await harness.vendor()).vendor_id)
    desk = _desk(harness.enterprise_id)
    await harness.stay("s-1", guest_ids=("g-1",), updated=datetime(2026, 2, 1, tzinfo=UTC))
    charge = rpc.CreateChargeRequest(
        offering_id=offering.offering_id, stay_id="s-1", guest_id="g-2", quantity=1
    )
    async with owner_answering(harness) as owner:
        # An owner's answer older than our copy is kept out: g-2 stays unknown.
        owner.knows("s-1", ("g-1", "g-2"), datetime(2026, 1, 1, tzinfo=UTC))
        failure = await harness.fails_as(desk, rpc.CREATE_CHARGE, charge)
        assert failure.error.status == 422
        assert "not a guest of stay s-1" in (failure.error.detail or "")

        # The companion added in Mews a moment ago: a newer version names g-2.
        owner.knows("s-1", ("g-1", "g-2"), datetime(2026, 2, 2, tzinfo=UTC))
        created = (await harness.call_as(desk, rpc.CREATE_CHARGE, charge)).charge
        assert created.guest_id == "g-2"
