"""The ops CLI tells its variables and what is missing, and says nothing more on success."""

from __future__ import annotations

import os
import subprocess
import sys

from nats.js import JetStreamContext

from attendandt.contracts.streams import ensure_streams
from attendandt.ops import environment
from attendandt.ops.cli import build_parser
from attendandt.testing.nats_accounts import nats_env
from attendandt.testing.processes import CLI_TIMEOUT_S


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "attendandt.ops", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )


def test_every_command_documents_its_environment_in_help() -> None:
    parser = build_parser()
    leaves = dict(environment.commands(parser))
    assert "sync reconcile" in leaves
    assert "users create-admin" in leaves
    # A command without its row in the table would be listed here.
    assert environment.document(build_parser()) == []
    for path, command in leaves.items():
        assert "environment:" in command.format_help(), path
    reconcile = leaves["sync reconcile"].format_help()
    for name in ("NATS_URL", "MEWS_CLIENT_TOKEN", "MEWS_ACCESS_TOKENS"):
        assert name in reconcile
    assert "DATABASE_URL" in leaves["users create-admin"].format_help()


def test_a_missing_variable_is_named_with_the_fix() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEWS_")}
    result = _run("sync", "reconcile", "--enterprise", "ent-1", env=env)
    assert result.returncode == 2
    out = result.stdout + result.stderr
    assert "MEWS_CLIENT_TOKEN" in out
    assert "export MEWS_CLIENT_TOKEN=" in out
    assert "Traceback" not in out


async def test_a_command_that_succeeds_prints_no_reconnect_noise(
    nats_url: str, jetstream: JetStreamContext
) -> None:
    await ensure_streams(jetstream)
    result = _run("status", env={**os.environ, **nats_env(nats_url)})
    assert result.returncode == 0, result.stderr
    assert "MEWS_CHANGES" in result.stdout
    assert "disconnected" not in result.stderr
    assert "reconnecting" not in result.stderr
