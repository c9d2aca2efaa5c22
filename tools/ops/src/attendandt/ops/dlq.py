"""`attendandt dlq list|show|requeue`: the DEAD_LETTERS stream for operators.

- list [--service S] [--limit N]: sequence, when, service/consumer, subject, reason
- show SEQ: the whole letter, with the original body (as text when it is text)
- requeue SEQ [SEQ ...]: publish the original body and headers to its original subject
  again (its consumer then processes it as new) and delete the letter; a letter whose
  secrets were masked when it was written is refused (its body is no longer the original)

What is printed is masked again, whatever the letter holds (one written before letters were
redacted at the source, or by a writer that did not): tokens, passwords and keys show as ***.
"""

from __future__ import annotations

import argparse
import os

import msgspec
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from attendandt.contracts.deadletter import DeadLetter
from attendandt.contracts.streams import DEAD_LETTERS
from attendandt.platform.logging import redact_body, redact_text, redact_value
from attendandt.platform.messaging import connect
from attendandt.platform.settings import NatsSettings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("dlq", help="dead letters: list, show, requeue")
    commands = parser.add_subparsers(title="dlq commands", metavar="<command>")
    listing = commands.add_parser("list", help="list dead letters, newest last")
    listing.add_argument("--service", help="only this service's letters")
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(handler=_list)
    show = commands.add_parser("show", help="one dead letter in full")
    show.add_argument("seq", type=int)
    show.set_defaults(handler=_show)
    requeue = commands.add_parser("requeue", help="send letters back to their subject")
    requeue.add_argument("seq", type=int, nargs="+")
    requeue.set_defaults(handler=_requeue)


async def _letters(js: JetStreamContext, service: str | None) -> list[tuple[int, DeadLetter]]:
    try:
        info = await js.stream_info(DEAD_LETTERS.name)
    except NotFoundError:
        return []
    found: list[tuple[int, DeadLetter]] = []
    if info.state.messages == 0:
        return found
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            raw = await js.get_msg(DEAD_LETTERS.name, seq)
        except NotFoundError:
            continue  # deleted (requeued)
        letter = msgspec.json.decode(raw.data or b"", type=DeadLetter)
        if service is None or letter.service == service:
            found.append((seq, letter))
    return found


async def _js() -> tuple[object, JetStreamContext]:
    nc = await connect(NatsSettings.from_env(os.environ), "attendandt-cli")
    return nc, nc.jetstream()


async def _list(args: argparse.Namespace) -> int:
    nc, js = await _js()
    try:
        letters = (await _letters(js, args.service))[-args.limit :]
    finally:
        await nc.close()  # type: ignore[attr-defined]
    if not letters:
        print("no dead letters")
        return 0
    for seq, letter in letters:
        print(
            f"{seq:>7}  {letter.failed_at:%Y-%m-%d %H:%M:%S}  {letter.service}/{letter.consumer}"
            f"  {letter.subject}  {redact_text(letter.reason)[:100]}"
        )
    print(f"{len(letters)} shown; `attendandt dlq show SEQ` for one, `requeue SEQ` to retry")
    return 0


async def _show(args: argparse.Namespace) -> int:
    nc, js = await _js()
    try:
        raw = await js.get_msg(DEAD_LETTERS.name, args.seq)
    except NotFoundError:
        print(f"no dead letter {args.seq}")
        return 1
    finally:
        await nc.close()  # type: ignore[attr-defined]
    letter = msgspec.json.decode(raw.data or b"", type=DeadLetter)
    print(show_letter(args.seq, letter))
    return 0


def show_letter(seq: int, letter: DeadLetter) -> str:
    """One letter as `dlq show` prints it, secrets masked."""
    data = redact_body(letter.data)
    try:
        body = data.decode()
    except UnicodeDecodeError:
        body = f"<{len(data)} bytes, not text: {redact_text(repr(data[:64]))}>"
    lines = [f"sequence:   {seq}"]
    for name in ("service", "consumer", "subject", "reason", "error_type", "stream",
                 "stream_sequence", "delivery_count", "failed_at", "redacted", "truncated",
                 "size", "sha256"):  # fmt: skip
        lines.append(f"{name + ':':<17}{redact_text(str(getattr(letter, name)))}")
    headers = {k: redact_value(k, v) for k, v in letter.headers.items()}
    lines.append(f"headers:         {headers}")
    lines.append(f"body:\n{body}")
    return "\n".join(lines)


async def _requeue(args: argparse.Namespace) -> int:
    nc, js = await _js()
    failed = 0
    try:
        for seq in args.seq:
            try:
                raw = await js.get_msg(DEAD_LETTERS.name, seq)
            except NotFoundError:
                print(f"{seq}: no such dead letter")
                failed += 1
                continue
            letter = msgspec.json.decode(raw.data or b"", type=DeadLetter)
            if letter.redacted:
                print(
                    f"{seq}: not requeued: its secrets were masked when it was written, so "
                    "its body is not the original (have the sender send it again)"
                )
                failed += 1
                continue
            if letter.truncated:
                print(
                    f"{seq}: not requeued: it keeps only the first {len(letter.data)} of "
                    f"{letter.size} bytes (sha256 {letter.sha256}); have the sender send it again"
                )
                failed += 1
                continue
            # A fresh message id: the original one may still be in the duplicate window.
            headers = {k: v for k, v in letter.headers.items() if k != "Nats-Msg-Id"}
            ack = await js.publish(letter.subject, letter.data, headers=headers)
            await js.delete_msg(DEAD_LETTERS.name, seq)
            print(f"{seq}: requeued to {letter.subject} (stream {ack.stream} seq {ack.seq})")
    finally:
        await nc.close()  # type: ignore[attr-defined]
    return 1 if failed else 0
