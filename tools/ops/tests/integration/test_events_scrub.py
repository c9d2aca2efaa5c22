"""`attendandt events scrub` erases, on a real nats-server, the public events published
before they stopped carrying personal data, and only those."""

import json
import os
import subprocess
import sys

import msgspec
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from attendandt.contracts.base import encode
from attendandt.contracts.events import (
    BOOKING_EVENT,
    GUEST_EVENT,
    STAY_EVENT,
    USER_EVENT,
    VENDOR_EVENT,
    BookingEvent,
    GuestEvent,
    StayEvent,
    UserEvent,
    VendorEvent,
)
from attendandt.contracts.examples import BOOKING, ENT, GUEST, NOW, STAY, USER, VENDOR
from attendandt.contracts.privacy import public_guest, public_stay, public_user
from attendandt.contracts.streams import ATTENDANDT_EVENTS, ensure_streams
from attendandt.testing.nats_accounts import nats_env
from attendandt.testing.processes import CLI_TIMEOUT_S

SECRETS = ("ada.old@mail.example", "no shellfish", "jo@spa.example", "fd.old@hotel.example")


def _cli(nats_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "attendandt.ops", "events", "scrub", *args],
        env={**os.environ, **nats_env(nats_url)},
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )


def _envelope(name: str) -> dict[str, object]:
    return {"event_id": name, "enterprise_id": ENT, "occurred_at": NOW, "event": "updated"}


async def _stream(js: JetStreamContext) -> list[tuple[str, bytes]]:
    info = await js.stream_info(ATTENDANDT_EVENTS.name)
    found = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            msg = await js.get_msg(ATTENDANDT_EVENTS.name, seq)
        except NotFoundError:
            continue  # erased
        found.append((msg.subject or "", msg.data or b""))
    return found


async def test_scrub_erases_old_personal_events_and_keeps_the_rest(
    nats_url: str, jetstream: JetStreamContext
) -> None:
    js = jetstream
    await ensure_streams(js)
    old_guest = msgspec.structs.replace(GUEST, email=SECRETS[0], notes="likes the sea view")
    parts = {"enterprise": ENT, "event": "updated"}
    booked = BOOKING_EVENT.format(enterprise=ENT, event="confirmed")
    old_booking = msgspec.structs.replace(BOOKING, notes=SECRETS[1])
    old_vendor = msgspec.structs.replace(VENDOR, contact_email=SECRETS[2])
    published = [
        (GUEST_EVENT.format(**parts),
         GuestEvent(**_envelope("g-old"), guest_id="g-1", guest=old_guest)),
        (GUEST_EVENT.format(**parts),
         GuestEvent(**_envelope("g-new"), guest_id="g-1", guest=public_guest(GUEST))),
        (booked, BookingEvent(**_envelope("b-old"), booking=old_booking)),
        (booked, BookingEvent(**_envelope("b-new"), booking=BOOKING)),
        (VENDOR_EVENT.format(**parts), VendorEvent(**_envelope("v-old"), vendor=old_vendor)),
        (STAY_EVENT.format(**parts),
         StayEvent(**_envelope("s-1"), stay_id="s-1", stay=public_stay(STAY))),
        (USER_EVENT.format(**parts), UserEvent(**_envelope("u-new"), user=public_user(USER))),
    ]  # fmt: skip
    for subject, payload in published:
        await js.publish(subject, encode(payload))
    # A v1 user event as the users service published it before (with the email).
    staff = {"user_id": "u-1", "email": SECRETS[3], "name": "Desk", "role": "front_desk"}
    old_user = {**_envelope("u-old"), "occurred_at": NOW.isoformat(), "user": staff}
    await js.publish(f"attendandt.v1.{ENT}.user.updated", json.dumps(old_user).encode())
    await js.publish(f"attendandt.v1.{ENT}.guest.updated", b"\x00 not json")

    dry = _cli(nats_url, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "9 events checked, would erase 5" in dry.stdout
    assert len(await _stream(js)) == 9
    done = _cli(nats_url)
    assert done.returncode == 0, done.stderr
    assert "erased 5 carrying personal data" in done.stdout
    assert not any(secret in done.stdout + done.stderr for secret in SECRETS)

    left = await _stream(js)
    ids = sorted(msgspec.json.decode(data)["event_id"] for _, data in left)
    assert ids == ["b-new", "g-new", "s-1", "u-new"]
    for _, data in left:
        assert not any(secret.encode() in data for secret in SECRETS)
    again = _cli(nats_url)
    assert "4 events checked, erased 0" in again.stdout
