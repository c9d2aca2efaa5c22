"""`attendandt contracts check|snapshot|asyncapi`: the schema snapshots and the event
catalogue from the command line."""

from __future__ import annotations

import argparse

from attendandt.contracts import asyncapi
from attendandt.contracts.schema import SNAPSHOT_DIR, drift, write_snapshots


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("contracts", help="message contracts: schema snapshots")
    commands = parser.add_subparsers(title="contracts commands", metavar="<command>")
    check = commands.add_parser("check", help="compare every payload with its snapshot")
    check.set_defaults(handler=_check)
    snapshot = commands.add_parser(
        "snapshot", help="record new and additive payload changes (refuses breaking ones)"
    )
    snapshot.set_defaults(handler=_snapshot)
    catalogue = commands.add_parser(
        "asyncapi",
        help="write the AsyncAPI event catalogue of the public subjects",
        description=f"Writes {asyncapi.ASYNCAPI_PATH.name} beside the contracts "
        "(libs/contracts/src/attendandt/contracts/) from the code. Reads no environment "
        "variables.",
    )
    catalogue.add_argument(
        "--check", action="store_true", help="only say whether the committed file is current"
    )
    catalogue.set_defaults(handler=_asyncapi)


def _check(_: argparse.Namespace) -> int:
    problems = drift()
    for item in problems:
        print(item.explain())
    if not problems:
        print(f"every payload matches its snapshot in {SNAPSHOT_DIR}")
    return 1 if problems else 0


def _asyncapi(args: argparse.Namespace) -> int:
    path = asyncapi.ASYNCAPI_PATH
    if args.check:
        current = path.exists() and path.read_text() == asyncapi.render(asyncapi.document())
        print(f"{path.name} is current" if current else f"{path.name} is stale: run make asyncapi")
        return 0 if current else 1
    changed = asyncapi.write(path)
    print(f"{'wrote' if changed else 'unchanged'} {path}")
    return 0


def _snapshot(_: argparse.Namespace) -> int:
    written, refused = write_snapshots()
    for line in written:
        print(f"recorded {line}")
    for item in refused:
        print(f"refused {item.explain()}")
    if not written and not refused:
        print("nothing to record: every payload matches its snapshot")
    return 1 if refused else 0
