"""The Kubernetes manifests' NATS cluster on this machine, and what the cluster test reads.

`manifest_cluster_config` renders deploy/k8s/base/nats/nats.conf for one local server: only
the addresses (loopback, free ports), the paths (store, pid file, TLS files) and the three
routes are replaced; every other line (server name from $POD_NAME, JetStream limits, the
cluster's name and `no_advertise`, lame duck, client TLS, `include ./accounts.conf` with the
generated accounts) is the manifests' own, and a replacement that no longer finds its line
fails, so the file and this test cannot drift apart silently.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from attendandt.contracts import headers as h
from attendandt.contracts import permissions
from attendandt.ops.nats_accounts import make_certificates
from attendandt.testing.servers import ClusterConfig, ClusterNode

REPO = Path(__file__).resolve().parents[3]
MANIFEST_NATS = REPO / "deploy" / "k8s" / "base" / "nats"


def manifest_cluster_config(tls_dir: Path) -> ClusterConfig:
    """The manifests' nats.conf for each server of a local cluster (see the module text);
    writes the TLS files into `tls_dir`, made as `attendandt nats dev-certs` makes them."""
    tls_dir.mkdir(parents=True, exist_ok=True)
    for name, data in make_certificates(["127.0.0.1", "localhost"]).items():
        (tls_dir / name).write_bytes(data)
    template = (MANIFEST_NATS / "nats.conf").read_text()

    def render(node: ClusterNode, nodes: Sequence[ClusterNode]) -> str:
        # `include ./accounts.conf` is relative to the configuration file.
        shutil.copy(MANIFEST_NATS / "accounts.conf", node.directory / "accounts.conf")
        replacements = [
            ("listen: 0.0.0.0:4222", f"listen: 127.0.0.1:{node.client_port}"),
            ("http: 0.0.0.0:8222", f"http: 127.0.0.1:{node.http_port}"),
            ("pid_file: /var/run/nats/nats.pid", f"pid_file: {node.directory / 'nats.pid'}"),
            ("store_dir: /data/jetstream", f"store_dir: {node.store_dir}"),
            ("listen: 0.0.0.0:6222", f"listen: 127.0.0.1:{node.cluster_port}"),
            ("/etc/nats-tls/", f"{tls_dir}/"),
            *(
                (f"nats://nats-{i}.nats-headless:6222", other.route)
                for i, other in enumerate(nodes)
            ),
        ]
        text = template
        for old, new in replacements:
            found = text.count(old)
            if old == "/etc/nats-tls/":
                assert found == 2, "the manifest's nats.conf changed its TLS files"
            else:
                assert found == 1, f"the manifest's nats.conf has {found} of {old!r}"
            text = text.replace(old, new)
        return text

    return render


@dataclass(frozen=True)
class NatsUsers:
    """A password for every user of the generated accounts.conf."""

    passwords: dict[str, str]

    @classmethod
    def make(cls) -> NatsUsers:
        names = [u.name for u in permissions.USERS]
        names += [s.name for s in permissions.EXAMPLE_HOTEL_SYSTEMS]
        return cls({name: permissions.new_password() for name in names})

    def server_env(self) -> dict[str, str]:
        hotels = {s.name for s in permissions.EXAMPLE_HOTEL_SYSTEMS}
        return {
            permissions.password_variable(name, hotel=name in hotels): password
            for name, password in self.passwords.items()
        }

    def client_env(self, user: str, cluster_url: str, ca_file: Path) -> dict[str, str]:
        """What a process connecting as `user` gets: every server, its user, the CA."""
        return {
            "NATS_URL": cluster_url,
            "NATS_USER": user,
            "NATS_PASSWORD": self.passwords[user],
            "NATS_TLS_CA_FILE": str(ca_file),
        }


async def client_users(node: ClusterNode) -> Counter[str]:
    """Who is connected to this server: connections per NATS user (its /connz)."""
    async with httpx.AsyncClient(timeout=5) as http:
        answer = await http.get(f"{node.monitor_url}/connz", params={"auth": "true"})
    answer.raise_for_status()
    return Counter(c.get("authorized_user", "") for c in answer.json().get("connections", []))


async def stream_state_on(node: ClusterNode, stream: str) -> dict[str, Any] | None:
    """The stream's state as this server's own replica holds it (its /jsz), or None."""
    async with httpx.AsyncClient(timeout=5) as http:
        answer = await http.get(
            f"{node.monitor_url}/jsz", params={"accounts": "true", "streams": "true"}
        )
    answer.raise_for_status()
    for account in answer.json().get("account_details", []):
        for detail in account.get("stream_detail", []):
            if detail.get("name") == stream:
                state: dict[str, Any] = detail["state"]
                return state
    return None


async def msg_ids(js: JetStreamContext, stream: str) -> Counter[str]:
    """How often each Nats-Msg-Id is stored in the stream."""
    counts: Counter[str] = Counter()
    info = await js.stream_info(stream)
    if info.state.messages == 0:
        return counts
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            msg = await js.get_msg(stream, seq)
        except NotFoundError:
            continue
        counts[(msg.headers or {}).get(h.MSG_ID, f"<none at {seq}>")] += 1
    return counts


async def stored_messages(js: JetStreamContext, stream: str) -> list[tuple[str, bytes]]:
    """(subject, data) of every message in the stream, in order."""
    found: list[tuple[str, bytes]] = []
    info = await js.stream_info(stream)
    if info.state.messages == 0:
        return found
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            msg = await js.get_msg(stream, seq)
        except NotFoundError:
            continue
        found.append((msg.subject or "", msg.data or b""))
    return found


#: Every write of a guest or stay row, recorded by Postgres itself (not by the service): the
#: oracle for "applied once". SECURITY DEFINER: the guests role needs no rights on it.
AUDIT_SQL = """
create schema write_audit;
create table write_audit.writes (
    seq bigserial primary key,
    tbl text not null,
    enterprise_id text not null,
    mews_id text not null,
    mews_updated_utc timestamptz,
    mews_digest text
);
create function write_audit.record() returns trigger
language plpgsql security definer set search_path = pg_catalog as $$
begin
    insert into write_audit.writes (tbl, enterprise_id, mews_id, mews_updated_utc, mews_digest)
    values (TG_TABLE_NAME, NEW.enterprise_id, NEW.mews_id, NEW.mews_updated_utc,
            NEW.mews_digest);
    return null;
end $$;
create trigger write_audit after insert or update on guests.guests
    for each row execute function write_audit.record();
create trigger write_audit after insert or update on guests.stays
    for each row execute function write_audit.record();
"""


def tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""
