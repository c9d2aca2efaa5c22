"""Request-reply for the gateway and the ops command on `rpc.v1.ingest.<method>` (core NATS,
queue group `mews-ingest`): the resync methods, answered by `ResyncJobs`. Decoding, the
caller from its header (none: 401) and error statuses: `platform.rpc.answer_for_caller`; the
subscriptions, their concurrency and their stop: `platform.rpc_server`."""

from __future__ import annotations

from attendandt.contracts.rpc.ingest import CANCEL_RESYNC, START_RESYNC, SWEEP
from attendandt.mews_ingest.resyncs import ResyncJobs
from attendandt.platform.runtime import Runtime

#: Requests of one method answered at once, each in its own task: a sweep answered inline
#: would hold up every other request (another property's resync, a cancel) until it ended.
WORKERS = 8


def register_rpc(runtime: Runtime, jobs: ResyncJobs) -> None:
    runtime.answer(SWEEP, jobs.sweep_now, workers=WORKERS)
    runtime.answer(START_RESYNC, jobs.start_resync, workers=WORKERS)
    runtime.answer(CANCEL_RESYNC, jobs.cancel_resync, workers=WORKERS)
