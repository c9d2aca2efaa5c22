"""`attendandt`: the ops command.

Each package adds its own subcommands through the entry-point group `attendandt.cli`: an
entry point names a function `register(subparsers)` that adds one subparser and sets
`handler` (a callable taking the parsed arguments and returning an exit code, plain or
async). So the CLI never imports a service it does not run, and a package's commands live
beside the code they operate.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from typing import Any

from attendandt.ops import devenv, environment
from attendandt.platform.settings import SettingsError

GROUP = "attendandt.cli"

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="attendandt",
        description="Attendandt ops commands: run the stack, migrate, sweep, backfill, inspect.",
    )
    subparsers = parser.add_subparsers(title="commands", metavar="<command>")
    for entry in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            register: Register = entry.load()
        except Exception as exc:
            print(f"attendandt: commands of {entry.name!r} unavailable: {exc}", file=sys.stderr)
            continue
        register(subparsers)
    environment.document(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] != ["dev"]:
        # Beside a `make run`: its settings fill what the shell leaves unset (before the
        # parser, whose defaults read the environment). `dev` writes them, never reads them.
        devenv.apply(os.environ)
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], Any] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        raise SystemExit(0 if not (argv or sys.argv[1:]) else 2)
    try:
        result = handler(args)
        if inspect.isawaitable(result):
            result = asyncio.run(_await(result))
    except SettingsError as exc:
        # A missing or malformed variable: its name and the fix, not a traceback.
        print(f"attendandt: {exc}{devenv.hint()}", file=sys.stderr)
        raise SystemExit(2) from None
    raise SystemExit(int(result or 0))


async def _await(awaitable: Any) -> Any:
    return await awaitable
