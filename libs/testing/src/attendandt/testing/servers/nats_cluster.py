"""A JetStream cluster of nats-servers on loopback, each a child of this process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from attendandt.testing.processes import free_port, spawn, stop
from attendandt.testing.servers.nats_server import nats_server_binary


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
