"""Every service's `python -m` entry point refuses a wrong setting with one line on stderr and
exit code 2 (the supervisor's and the operator's cue), never a traceback."""

from __future__ import annotations

import os
import subprocess

import pytest

from attendandt.testing.processes import CLI_TIMEOUT_S, python_module

SERVICES = {
    "attendandt.gateway": "gateway",
    "attendandt.guests": "guests",
    "attendandt.mews_ingest": "mews-ingest",
    "attendandt.mews_publisher": "mews-publisher",
    "attendandt.sync": "sync",
    "attendandt.users": "users",
    "attendandt.vendors": "vendors",
}


@pytest.mark.parametrize("module", sorted(SERVICES))
def test_a_wrong_setting_stops_the_service_with_one_line(module: str) -> None:
    env = {**os.environ, "ATTENDANDT_ENV": "staging"}  # only development or production
    done = subprocess.run(
        python_module(module, "serve"),
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"{SERVICES[module]}: "), line
