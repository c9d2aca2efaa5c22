"""`attendandt contracts check|snapshot`: the schema snapshots from the command line."""

from __future__ import annotations

import argparse

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


def _check(_: argparse.Namespace) -> int:
    problems = drift()
    for item in problems:
        print(item.explain())
    if not problems:
        print(f"every payload matches its snapshot in {SNAPSHOT_DIR}")
    return 1 if problems else 0


def _snapshot(_: argparse.Namespace) -> int:
    written, refused = write_snapshots()
    for line in written:
        print(f"recorded {line}")
    for item in refused:
        print(f"refused {item.explain()}")
    if not written and not refused:
        print("nothing to record: every payload matches its snapshot")
    return 1 if refused else 0
