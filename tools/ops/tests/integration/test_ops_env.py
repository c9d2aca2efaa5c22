"""The ops commands find a `make run` by themselves: `attendandt dev` writes their settings
to `.devdata/ops.env`, and a command run from the project folder with nothing exported
reads them (NATS with the ops user, the databases, Mews as the services see it)."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_dev import _Output

from attendandt.testing.processes import free_port, spawn

GROSS = "3fa85f64-5717-4562-b3fc-2c963f66afa6"  # the simulator's first hotel
#: What a shell beside `make run` has not exported.
UNSET = ("NATS_", "DATABASE_", "MEWS_", "ATTENDANDT_DEVDATA", "USERS_DATABASE_URL")


def _bare_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(UNSET)}


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "attendandt.ops", *args],
        cwd=cwd,
        env=_bare_env(),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder with a running `attendandt dev` (simulator and guests) and its .devdata."""
    folder = tmp_path_factory.mktemp("project")
    os.chmod(folder, 0o755)  # noqa: PTH101 - Postgres runs as its own user and must enter
    argv = [
        sys.executable, "-m", "attendandt.ops", "dev",
        "--nats-port", str(free_port()), "--postgres-port", str(free_port()),
        "--sim-port", str(free_port()), "--ingest-port", str(free_port()),
        "--health-port-base", "0",
        "--only", "guests",
    ]  # fmt: skip
    proc = spawn(argv, stdout=subprocess.PIPE, env={**_bare_env(), "NO_COLOR": "1"}, cwd=folder)
    output = _Output(proc)
    try:
        output.until("Ctrl-C stops everything")
        yield folder
    finally:
        proc.terminate()
        proc.wait(timeout=90)


def test_status_finds_the_stack(project: Path) -> None:
    result = _cli(project, "status")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "MEWS_CHANGES" in result.stdout
    env_file = project / ".devdata" / "ops.env"
    assert env_file.stat().st_mode & 0o777 == 0o600


def test_create_admin_finds_the_users_database(project: Path) -> None:
    result = _cli(project, "users", "create-admin", "--email", "ops-env@example.com")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ops-env@example.com" in result.stdout
    again = _cli(project, "users", "create-admin", "--email", "ops-env@example.com")
    assert "already exists" in again.stdout


def test_sync_reconcile_finds_mews_and_nats(project: Path) -> None:
    result = _cli(project, "sync", "reconcile", "--enterprise", GROSS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "customer: " in result.stdout
    assert "checked since" in result.stdout


def test_elsewhere_the_missing_variable_is_named(tmp_path: Path) -> None:
    result = _cli(tmp_path, "sync", "reconcile", "--enterprise", GROSS)
    assert result.returncode == 2
    assert "MEWS_CLIENT_TOKEN" in result.stdout + result.stderr
    created = _cli(tmp_path, "users", "create-admin", "--email", "x@example.com")
    assert created.returncode == 2
    assert "USERS_DATABASE_URL" in created.stdout
