"""Run only by test_killed_session_leaves_nothing: starts both servers, reports, then waits."""

import json
import os
import time
from pathlib import Path


def test_start_servers_then_wait(nats_url: str, postgres_url: str, servers_dir: Path) -> None:
    nats_pid = int(next((servers_dir / "nats" / "ports").glob("*.ports")).stem.split("_")[-1])
    pg_pid = int((servers_dir / "postgres" / "pgdata" / "postmaster.pid").read_text().split()[0])
    report = {"servers_dir": str(servers_dir), "pids": [nats_pid, pg_pid], "pytest": os.getpid()}
    Path(os.environ["KILLED_SESSION_REPORT"]).write_text(json.dumps(report))
    time.sleep(120)
