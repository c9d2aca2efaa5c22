"""The whole system as `make run` starts it, on free ports, once for the slow tests that drive
it (through its API, and in a browser): started on first use, stopped when the session ends."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from attendandt.testing.processes import free_port, spawn

sys.path.insert(0, str(Path(__file__).parent))
# Some integration tests share helpers of another integration test module.
sys.path.insert(0, str(Path(__file__).parent / "integration"))

from stack_support import SpanReceiver, wait_until  # found through the line above

PASSWORD = "Correct-Horse-Battery-9"  # the demo admin's password in these tests
REPO = Path(__file__).resolve().parents[3]
WEB = REPO / "web"
#: What the web app's build is made from: dist/ is stale when any of it is newer.
WEB_SOURCES = (
    "src", "index.html", "package.json", "package-lock.json", "vite.config.ts", "tsconfig.json",
)  # fmt: skip


def _newest(path: Path) -> float:
    if path.is_dir():
        return max((p.stat().st_mtime for p in path.rglob("*") if p.is_file()), default=0.0)
    return path.stat().st_mtime if path.exists() else 0.0


def web_dist_is_stale() -> bool:
    index = WEB / "dist" / "index.html"
    if not index.is_file():
        return True
    return max(_newest(WEB / name) for name in WEB_SOURCES) > index.stat().st_mtime


def build_web() -> str | None:
    """Build web/dist when it is missing or older than its sources, before the gateway starts
    (it serves the build it finds at start-up). Returns why it could not, or None."""
    if not web_dist_is_stale():
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm not found: install Node.js 20+ (it builds and tests the web app)"
    steps = [[npm, "run", "build"]]
    if not (WEB / "node_modules").is_dir():
        steps.insert(0, [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"])
    for argv in steps:
        done = subprocess.run(
            argv, cwd=WEB, capture_output=True, text=True, timeout=600, check=False
        )
        if done.returncode != 0:
            return f"`{' '.join(argv[1:])}` in web/ failed:\n{done.stdout}\n{done.stderr}"
    return None


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    web_problem = build_web()
    receiver = SpanReceiver()
    devdata = tmp_path_factory.mktemp("stack")
    os.chmod(devdata, 0o755)  # noqa: PTH101 - Postgres runs as its own user and must enter
    ports = {name: free_port() for name in ("nats", "postgres", "sim", "gateway", "ingest")}
    argv = [
        sys.executable, "-m", "attendandt.ops", "dev",
        "--devdata", str(devdata),
        "--nats-port", str(ports["nats"]), "--postgres-port", str(ports["postgres"]),
        "--sim-port", str(ports["sim"]), "--gateway-port", str(ports["gateway"]),
        "--ingest-port", str(ports["ingest"]),
        # Each service a free health port, not 8100...: a `make run` may hold those.
        "--health-port-base", "0",
        # make run's two hotels with 3,000 stays rather than 10,000 (still a few arrivals and
        # departures a day in each): the tests wait for the initial import, which on a slow,
        # shared machine took over 15 minutes at full size. The full size is `make run`'s,
        # measured by `make bench B=import-day-lists`.
        "--sim-seed", "default,customers=1500,reservations=3000",
    ]  # fmt: skip
    env = {
        **os.environ,
        "ATTENDANDT_DEV_ADMIN_PASSWORD": PASSWORD,
        "LOG_LEVEL": "WARNING",
        "WEB_DIST": str(WEB / "dist"),
        # The gateway limits requests per client, and every test is the same client
        # (127.0.0.1), polling and signing in many times a minute.
        "RATE_LIMIT_PER_MINUTE": "100000",
        "LOGIN_RATE_LIMIT_PER_MINUTE": "1000",
        # The publisher (the only one reading these): a write cut short by a killed process
        # is delivered again, and read back from Mews, within seconds rather than minutes.
        "ACK_WAIT_S": "10",
        "SETTLE_S": "2",
        # Ingest asks a portfolio's properties again every 2 s, not 5 minutes (a test
        # has a hotel join and another leave).
        "PORTFOLIO_CHECK_S": "2",
        # Every service's spans to the collector here (a trace is read back from it), sent
        # within a fifth of a second rather than five, none dropped while the initial
        # import makes thousands a second.
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
        "OTEL_BSP_SCHEDULE_DELAY": "200",
        "OTEL_BSP_MAX_QUEUE_SIZE": "100000",
    }
    process = spawn(argv, env=env, stdout=subprocess.PIPE)
    lines: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.decode(errors="replace"))

    threading.Thread(target=read, daemon=True).start()
    gateway = f"http://127.0.0.1:{ports['gateway']}"
    try:
        try:
            wait_until(
                "the stack", lambda: "Ctrl-C stops everything" in "".join(lines), timeout=240
            )
        except AssertionError as exc:
            # What the stack said is the only clue to why it did not start.
            raise AssertionError(f"{exc}; its last lines:\n{''.join(lines[-60:])}") from None
        wait_until(
            "the gateway", lambda: httpx.get(f"{gateway}/readyz").status_code == 200, timeout=120
        )
        wait_for_initial_imports(gateway, ports["sim"])
        # Each demo account's own password, as `attendandt dev` made and kept it.
        passwords = {
            "admin@attendandt.local": PASSWORD,
            "frontdesk@attendandt.local": (devdata / "frontdesk-password").read_text().strip(),
            "manager@attendandt.local": (devdata / "manager-password").read_text().strip(),
            "spa@attendandt.local": (devdata / "vendor-password").read_text().strip(),
        }
        yield {
            "gateway": gateway,
            "sim": f"http://127.0.0.1:{ports['sim']}",
            "ingest": f"http://127.0.0.1:{ports['ingest']}",
            "log": lines,
            "pid": process.pid,
            "password": PASSWORD,
            "passwords": passwords,
            "devdata": str(devdata),
            "webhook_secret": (devdata / "webhook-secret").read_text().strip(),
            "web_problem": web_problem,
            "spans": receiver,
        }
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        receiver.close()  # after the services, which send their last spans as they stop
        relocated = (Path(devdata) / "postgres" / "pgdata").resolve().parent
        if relocated != Path(devdata) / "postgres":
            shutil.rmtree(relocated, ignore_errors=True)


def wait_for_initial_imports(gateway: str, sim_port: int) -> None:
    """Until sync reports the initial import of every simulated hotel done, as an operator
    reads it on the Sync page: the tests start from the system a hotel has once it is set
    up, and none is timed while thousands of stays are still being imported."""
    hotels = httpx.get(f"http://127.0.0.1:{sim_port}/_sim/info").json()["enterprises"]
    login = httpx.post(
        f"{gateway}/api/v1/auth/login",
        json={"email": "admin@attendandt.local", "password": PASSWORD},
    )
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    last: list[Any] = []

    def imported() -> bool:
        overview = httpx.get(f"{gateway}/api/v1/sync", headers=headers, timeout=30).json()
        last[:] = [(e["enterprise_id"], (e.get("sync") or {}).get("import_state"))
                   for e in overview["enterprises"]]  # fmt: skip
        done = {e for e, state in last if state == "done"}
        return done >= {h["id"] for h in hotels}

    try:
        wait_until("the initial imports", imported, timeout=900, every=2)
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {last}") from None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`-n 2 --dist loadgroup`) the tests of one expensive system share a
    worker: one whole-system stack (and one web build) for the session, one `attendandt dev`
    for test_ops_env, instead of one per worker.

    A stack test's time limit counts its own steps, not the stack's start (bounded by its
    own waits above), which falls on whichever stack test runs first."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "stack" in names:
            item.add_marker(pytest.mark.xdist_group("stack"))
            marker = item.get_closest_marker("timeout")
            seconds = marker.args[0] if marker and marker.args else 300
            item.add_marker(pytest.mark.timeout(seconds, func_only=True), append=False)
        elif "project" in names and item.path.name == "test_ops_env.py":
            item.add_marker(pytest.mark.xdist_group("ops-env"))
