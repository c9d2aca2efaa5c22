"""Real nats-server and Postgres on this machine, for tests, benchmarks and `make run`.

Each server runs as a child of the calling process (it dies with it) on a free loopback port,
with its files in a directory the caller owns. Postgres comes from, in this order: the Debian
server binaries (run as the `postgres` user when we are root, since postgres refuses root),
any `postgres` on PATH, the `pgserver` package, or a Docker engine through testcontainers.

One module per kind: `nats_server` (one server), `nats_cluster`, `postgres`, and `fallbacks`
(pgserver, Docker, and the `any_*` that pick the first way that works here).
"""

from attendandt.testing.servers.fallbacks import (
    any_nats,
    any_postgres,
    docker_available,
    start_nats_container,
    start_pgserver,
    start_postgres_container,
)
from attendandt.testing.servers.local import (
    ExternalServer,
    LocalProcessServer,
    RunningServer,
    ServerUnavailable,
)
from attendandt.testing.servers.nats_cluster import (
    ClusterConfig,
    ClusterNode,
    NatsCluster,
    cluster_config,
    start_nats_cluster,
)
from attendandt.testing.servers.nats_server import nats_server_binary, start_nats
from attendandt.testing.servers.postgres import RELOCATED_ROOT, postgres_bin_dir, start_postgres

__all__ = [
    "RELOCATED_ROOT",
    "ClusterConfig",
    "ClusterNode",
    "ExternalServer",
    "LocalProcessServer",
    "NatsCluster",
    "RunningServer",
    "ServerUnavailable",
    "any_nats",
    "any_postgres",
    "cluster_config",
    "docker_available",
    "nats_server_binary",
    "postgres_bin_dir",
    "start_nats",
    "start_nats_cluster",
    "start_nats_container",
    "start_pgserver",
    "start_postgres",
    "start_postgres_container",
]
