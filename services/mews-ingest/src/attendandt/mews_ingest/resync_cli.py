"""`attendandt ingest resync --enterprise ID [--since WHEN] [--entity NAME ...] [--detach]`
and `attendandt ingest resync --enterprise ID --cancel`.

Starts the running service's resync job (the one the API and the sync page start: the same
checks, the same horizon, the same share of the Mews budget), follows it with a progress bar
and time left, and cancels it on Ctrl-C. `--detach` starts it and returns; `--cancel` stops
the running one. Needs only NATS (NATS_URL, NATS_USER / NATS_PASSWORD of the ops user).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from typing import Any

import msgspec
from nats.aio.client import Client as NatsClient
from nats.js.errors import KeyNotFoundError

from attendandt.contracts.caller import Caller
from attendandt.contracts.kv import IngestState
from attendandt.contracts.mews import MewsEntity
from attendandt.contracts.rpc.ingest import (
    CANCEL_RESYNC,
    RESYNC,
    START_RESYNC,
    CancelResyncRequest,
    ResyncJob,
    SweepRequest,
)
from attendandt.contracts.snapshots import UserRole
from attendandt.contracts.streams import INGEST_STATE
from attendandt.platform.messaging import connect
from attendandt.platform.progress import draw_bar
from attendandt.platform.rpc import RpcFailure, RpcTimeout, call
from attendandt.platform.settings import NatsSettings, SettingsError, process_env

#: The ops command acts for every property, with the one permission resync needs.
CLI_CALLER = Caller(user_id="attendandt-cli", role=UserRole.ADMIN, permissions=(RESYNC,))
POLL_S = 1.0


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], parse_since: Any
) -> None:
    resync = commands.add_parser(
        "resync", help="start the service's resync job and follow it (Ctrl-C cancels it)"
    )
    resync.add_argument("--enterprise", required=True, help="Mews EnterpriseId")
    resync.add_argument(
        "--since", type=parse_since, help="ISO date/time (UTC) or a duration back: 90m, 12h, 7d"
    )
    resync.add_argument(
        "--entity", action="append", choices=[e.value for e in MewsEntity], help="repeatable"
    )
    mode = resync.add_mutually_exclusive_group()
    mode.add_argument("--detach", action="store_true", help="start it and return")
    mode.add_argument("--cancel", action="store_true", help="cancel the running resync")
    resync.set_defaults(handler=run_resync)


def describe(job: ResyncJob) -> str:
    where = f", at {job.entity} window {job.window}/{job.windows}" if job.entity else ""
    done = f", done: {', '.join(job.entities_done)}" if job.entities_done else ""
    error = f", error: {job.error}" if job.error else ""
    return f"resync {job.job_id} of {job.enterprise_id}: {job.state}{where}{done}, " + (
        f"{job.changes_seen} changes seen{error}"
    )


async def run_resync(args: argparse.Namespace) -> int:
    try:
        settings = NatsSettings.from_env(process_env())
    except SettingsError as exc:
        print(f"ingest resync: {exc}")
        return 2
    nc = await connect(settings, "attendandt-cli")
    try:
        if args.cancel:
            job = await call(
                nc, CANCEL_RESYNC, CancelResyncRequest(enterprise_id=args.enterprise),
                caller=CLI_CALLER, timeout=10,
            )  # fmt: skip
            print(describe(job))
            return 0
        request = SweepRequest(
            enterprise_id=args.enterprise, entities=tuple(args.entity or ()), since=args.since
        )
        job = await call(nc, START_RESYNC, request, caller=CLI_CALLER, timeout=10)
        print(f"resync {job.job_id} of {job.enterprise_id} started (oldest allowed since: "
              f"{job.oldest_allowed:%Y-%m-%d %H:%M} UTC)")  # fmt: skip
        if args.detach:
            print(f"follow it on the sync page; cancel: attendandt ingest resync "
                  f"--enterprise {args.enterprise} --cancel")  # fmt: skip
            return 0
        return await _follow(nc, job)
    except RpcFailure as failure:
        print(f"ingest resync: {failure.error.title}: {failure.error.detail or ''}")
        return 1
    except RpcTimeout:
        print("ingest resync: mews-ingest did not answer: is it running (attendandt status)?")
        return 1
    finally:
        await nc.close()


async def _follow(nc: NatsClient, started: ResyncJob) -> int:
    """Draw the job's progress from ingest's status until it ends; Ctrl-C cancels it."""
    interrupted = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, interrupted.set)
    kv = await nc.jetstream().key_value(INGEST_STATE.bucket)
    job = started
    try:
        while job.state in ("running", "cancelling"):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(interrupted.wait(), POLL_S)
            if interrupted.is_set():
                print("\ncancelling the resync (it stops after the window being read)")
                job = await call(
                    nc, CANCEL_RESYNC, CancelResyncRequest(enterprise_id=job.enterprise_id),
                    caller=CLI_CALLER, timeout=10,
                )  # fmt: skip
                interrupted.clear()
            job = await _current(kv, job)
            left = f", {job.eta_s:.0f} s left" if job.eta_s is not None else ""
            detail = f"{job.window}/{job.windows} windows, {job.changes_seen} changes{left}"
            draw_bar(job.entity or "starting", job.window, max(job.windows, 1), detail)
    finally:
        loop.remove_signal_handler(signal.SIGINT)
    print(f"\n{describe(job)}")
    return 0 if job.state == "done" else 1


async def _current(kv: Any, job: ResyncJob) -> ResyncJob:
    """The job as ingest last wrote it (unchanged while nothing newer is there)."""
    try:
        entry = await kv.get(job.enterprise_id)
        state = msgspec.json.decode(entry.value or b"", type=IngestState)
    except (KeyNotFoundError, msgspec.DecodeError, msgspec.ValidationError):
        return job
    if state.resync is None or state.resync.job_id != job.job_id:
        return job
    return state.resync
