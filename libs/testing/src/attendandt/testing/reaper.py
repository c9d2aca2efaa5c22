"""Cleans up after a test session that was killed (kill -9 runs no teardown).

Started detached by the pytest plugin with the test process's PID, the PIDs of the servers
it started and their directory. When the test process is gone it kills those PIDs (they
usually died already through the parent-death signal) and removes the directory.

    python -m attendandt.testing.reaper --watch PID --kill PID,PID --remove DIR

`DIR`'s parent goes too once it is empty.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import time
from pathlib import Path

from attendandt.testing.processes import pid_alive


def reap(watch: int, kill: list[int], remove: Path, poll_s: float = 0.5) -> None:
    while pid_alive(watch):
        time.sleep(poll_s)
    for pid in kill:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(pid_alive(pid) for pid in kill) and time.monotonic() < deadline:
        time.sleep(0.1)
    shutil.rmtree(remove, ignore_errors=True)
    # Several reapers share the session's directory; the last one out removes it.
    with contextlib.suppress(OSError):
        remove.parent.rmdir()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--watch", type=int, required=True)
    parser.add_argument("--kill", default="")
    parser.add_argument("--remove", type=Path, required=True)
    args = parser.parse_args()
    kill = [int(p) for p in args.kill.split(",") if p]
    reap(args.watch, kill, args.remove)


if __name__ == "__main__":
    main()
