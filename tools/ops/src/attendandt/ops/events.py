"""`attendandt events scrub [--dry-run]`: erase from ATTENDANDT_EVENTS the public events
published before public events stopped carrying personal data (guest contact data and notes,
vendor contact, booking notes, v1 user events with staff emails).

Run once after upgrading: the stream keeps events 30 days, so without it a hotel system
replaying from the start would still read them. Each such message is deleted with the
server's secure erase; the rest of the stream is untouched (a later change of the same guest
publishes a clean event). Prints counts only, never a message body.
"""

from __future__ import annotations

import argparse
import os

from nats.js.errors import NotFoundError

from attendandt.contracts.privacy import carries_personal_data
from attendandt.contracts.streams import ATTENDANDT_EVENTS
from attendandt.platform.messaging import connect
from attendandt.platform.settings import NatsSettings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("events", help="public events: scrub personal data")
    commands = parser.add_subparsers(title="events commands", metavar="<command>")
    scrub = commands.add_parser(
        "scrub", help="erase public events that still carry personal data (published before)"
    )
    scrub.add_argument("--dry-run", action="store_true", help="count them, erase nothing")
    scrub.set_defaults(handler=_scrub)


async def _scrub(args: argparse.Namespace) -> int:
    nc = await connect(NatsSettings.from_env(os.environ), "attendandt-cli")
    js = nc.jetstream()
    stream = ATTENDANDT_EVENTS.name
    checked = found = 0
    try:
        try:
            info = await js.stream_info(stream)
        except NotFoundError:
            print(f"no stream {stream}: nothing to scrub")
            return 0
        last = info.state.last_seq if info.state.messages else 0
        for seq in range(info.state.first_seq, last + 1):
            try:
                msg = await js.get_msg(stream, seq)
            except NotFoundError:
                continue  # deleted, or aged out meanwhile
            checked += 1
            if not carries_personal_data(msg.subject or "", msg.data or b""):
                continue
            found += 1
            if not args.dry_run:
                await js.delete_msg(stream, seq)
    finally:
        await nc.close()
    verb = "would erase" if args.dry_run else "erased"
    print(f"{stream}: {checked} events checked, {verb} {found} carrying personal data")
    return 0
