from datetime import UTC, datetime, timedelta

import pytest

from attendandt.contracts.snapshots import StayState
from attendandt.mews.models import Customer, Reservation, Resource, ServiceOrderNote
from attendandt.sync.mapping import (
    Unmappable,
    guest_snapshot,
    room_snapshot,
    stay_snapshot,
    upsert_room,
    upsert_stay,
)

T = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
_HOUR = timedelta(hours=1)


def test_customer_maps_to_guest() -> None:
    customer = Customer(
        id="c1", first_name="Ada", last_name="Lovelace", email="ada@example.com",
        preferred_language_code="en-GB", language_code="de", classifications=["VeryImportant"],
        is_active=None, updated_utc=T,
    )  # fmt: skip
    guest = guest_snapshot(customer)
    assert (guest.mews_id, guest.last_name, guest.language_code) == ("c1", "Lovelace", "en-GB")
    assert guest.classifications == ("VeryImportant",)
    assert guest.is_active is True  # absent means active


@pytest.mark.parametrize(
    ("mews", "ours"),
    [
        ("Enquired", StayState.INQUIRED),
        ("Started", StayState.STARTED),
        ("Brand new", StayState.UNKNOWN),
    ],
)
def test_reservation_states_tolerate_legacy_and_unknown(mews: str, ours: StayState) -> None:
    stay = stay_snapshot(Reservation(id="r1", state=mews, updated_utc=T, account_id="c1"), "101")
    assert stay.state is ours
    assert stay.mews_state == mews
    assert stay.owner_mews_id == "c1"
    assert stay.resource_name == "101"


def test_company_owned_reservation_has_no_guest_owner() -> None:
    stay = stay_snapshot(
        Reservation(
            id="r1", state="Confirmed", updated_utc=T, account_id="co1", account_type="Company"
        ),
        None,
    )
    assert stay.owner_mews_id is None


def test_deprecated_start_end_are_used_when_the_new_fields_are_missing() -> None:
    stay = stay_snapshot(
        Reservation(id="r1", state="Confirmed", updated_utc=T, start_utc=T, end_utc=T), None
    )
    assert stay.scheduled_start_utc == T


def test_command_id_is_the_version() -> None:
    stay = stay_snapshot(Reservation(id="r1", state="Confirmed", updated_utc=T), None)
    assert upsert_stay("e1", stay).command_id == f"stay:e1:r1:{T.isoformat()}:{stay.digest()}"
    # Read again unchanged: the same command. Changed within the same second (same
    # UpdatedUtc, Mews's whole seconds): another one, not a repeat to drop.
    again = stay_snapshot(Reservation(id="r1", state="Confirmed", updated_utc=T), None)
    changed = stay_snapshot(Reservation(id="r1", state="Started", updated_utc=T), None)
    assert upsert_stay("e1", again).command_id == upsert_stay("e1", stay).command_id
    assert upsert_stay("e1", changed).command_id != upsert_stay("e1", stay).command_id


def test_no_updated_utc_is_unmappable() -> None:
    with pytest.raises(Unmappable):
        guest_snapshot(Customer(id="c1", last_name="X"))


def test_companions_and_notes_on_the_stay_in_a_stable_order() -> None:
    reservation = Reservation(id="r1", state="Started", updated_utc=T, account_id="c1")
    newer = ServiceOrderNote(
        id="n-b", text="Late check-out", type="SpecialRequest", created_utc=T, updated_utc=T
    )
    older = ServiceOrderNote(id="n-a", text="Vegan", type="General", created_utc=T - _HOUR)
    empty = ServiceOrderNote(id="n-c", text=None, type="General", created_utc=T)
    stay = stay_snapshot(
        reservation, "101", companions=["c1", "c2", "c2"], notes=[newer, empty, older]
    )
    assert stay.companion_mews_ids == ("c1", "c2")
    assert [(n.mews_id, n.text, n.type) for n in stay.notes] == [
        ("n-a", "Vegan", "General"),
        ("n-b", "Late check-out", "SpecialRequest"),
    ]
    same = stay_snapshot(reservation, "101", companions=["c1", "c2"], notes=[older, newer])
    # Mews listing the notes in another order is not another version.
    assert same.digest() == stay.digest()
    assert stay_snapshot(reservation, "101").digest() != stay.digest()


def test_a_resource_maps_to_a_room_with_its_state() -> None:
    room = room_snapshot(Resource(id="m1", name="101", state="Inspected", updated_utc=T))
    assert (room.mews_id, room.name, room.state, room.is_active) == ("m1", "101", "Inspected", True)
    inactive = room_snapshot(Resource(id="m2", name="9", is_active=False, updated_utc=T))
    assert inactive.is_active is False
    with pytest.raises(Unmappable):
        room_snapshot(Resource(id="m3", name="10"))
    command = upsert_room("ent-1", room)
    assert command.command_id.startswith("room:ent-1:m1:")
    assert command.room == room
    # Its room type is part of the version: a room moved to another type is a new one.
    typed = room_snapshot(Resource(id="m1", name="101", state="Inspected", updated_utc=T), "Suite")
    assert typed.category_name == "Suite"
    assert upsert_room("ent-1", typed).command_id != command.command_id
