"""`attendandt nats`: the NATS users of `contracts.permissions` as nats-server config.

    attendandt nats accounts [--hotel-system NAME[:restricted] ...] [--output FILE]
        the `accounts { ... }` block; `:restricted` grants that hotel system the guest
        contact data (ATTENDANDT_RESTRICTED). Without --hotel-system: the example system of
        the committed manifests (deploy/k8s/base/nats/accounts.conf is this output).
    attendandt nats ensure-streams [--replicas N]
        create or update every stream and KV bucket, as the ops user (NATS_URL, NATS_USER,
        NATS_PASSWORD, NATS_TLS_CA_FILE): services may not, they only verify them.
        --replicas (or NATS_STREAM_REPLICAS): how many servers hold each, 3 on the 3-node
        cluster of the manifests; unset: new ones get 1, existing ones keep theirs.
    attendandt nats dev-certs --server-dir DIR --ca-dir DIR [--host NAME ...]
        a private CA and a server certificate for NATS client TLS (tls.crt, tls.key,
        ca.crt; ca.crt alone in --ca-dir), unless they exist: for compose and dev clusters;
        production uses its own CA (cert-manager, ...).

`make run` uses `dev_nats_config`: the same accounts, random passwords kept in `.devdata`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attendandt.contracts.permissions import (
    EXAMPLE_HOTEL_SYSTEMS,
    OPS,
    USERS,
    Credentials,
    HotelSystem,
    new_password,
    parse_hotel_system,
    password_variable,
    render_accounts,
    usable_password,
)
from attendandt.contracts.streams import ensure_streams
from attendandt.platform.messaging import connect
from attendandt.platform.settings import NatsSettings, SettingsError, process_env


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("nats", help="NATS users and permissions, streams")
    commands = parser.add_subparsers(title="nats commands", metavar="<nats command>")
    accounts = commands.add_parser(
        "accounts", help="print the nats-server accounts (users, permissions) from contracts"
    )
    accounts.add_argument(
        "--hotel-system",
        action="append",
        type=_hotel_system,
        default=[],
        metavar="NAME[:restricted]",
        help="a hotel system reading public events; ':restricted' also grants guest contact "
        "data (repeat for each system; default: the example system)",
    )
    accounts.add_argument("--output", type=Path, help="write to this file instead of stdout")
    accounts.set_defaults(handler=_accounts)
    ensure = commands.add_parser(
        "ensure-streams", help="create or update every stream and KV bucket (ops user)"
    )
    ensure.add_argument(
        "--replicas",
        type=_replicas,
        default=None,
        help="servers holding each stream and bucket (default: NATS_STREAM_REPLICAS; unset: "
        "1 for new ones, existing ones keep theirs)",
    )
    ensure.set_defaults(handler=_ensure)
    certs = commands.add_parser(
        "dev-certs", help="a private CA and a NATS server certificate (compose, dev clusters)"
    )
    certs.add_argument("--server-dir", type=Path, required=True, help="tls.crt, tls.key, ca.crt")
    certs.add_argument("--ca-dir", type=Path, help="ca.crt only, for the clients")
    certs.add_argument(
        "--host", action="append", default=[], help="a name the server is reached by (repeat)"
    )
    certs.set_defaults(handler=_dev_certs)


def _hotel_system(text: str) -> HotelSystem:
    try:
        return parse_hotel_system(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _accounts(args: argparse.Namespace) -> int:
    systems = tuple(args.hotel_system) or EXAMPLE_HOTEL_SYSTEMS
    try:
        text = render_accounts(systems)
    except ValueError as exc:
        print(f"attendandt nats accounts: {exc}", file=sys.stderr)
        return 2
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text)
    return 0


def _replicas(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of 1 or more")
    return value


def stream_replicas(given: int | None, env: Mapping[str, str]) -> int | None:
    """--replicas, else NATS_STREAM_REPLICAS, else None (see `ensure_streams`)."""
    if given is not None:
        return given
    raw = env.get("NATS_STREAM_REPLICAS", "").strip()
    if not raw:
        return None
    try:
        return _replicas(raw)
    except argparse.ArgumentTypeError as exc:
        raise SettingsError(f"NATS_STREAM_REPLICAS={exc}") from None


async def _ensure(args: argparse.Namespace) -> int:
    env = process_env()
    try:
        settings = NatsSettings.from_env(env)
        replicas = stream_replicas(args.replicas, env)
    except SettingsError as exc:
        print(f"attendandt nats ensure-streams: {exc}", file=sys.stderr)
        return 2
    nc = await connect(settings, "attendandt-ensure-streams")
    try:
        for line in await ensure_streams(nc.jetstream(), replicas=replicas):
            print(line)
    finally:
        await nc.close()
    return 0


def _dev_certs(args: argparse.Namespace) -> int:
    server_dir: Path = args.server_dir
    if (server_dir / "tls.key").exists():
        print(f"NATS certificates in {server_dir} exist; kept")
    else:
        files = make_certificates(args.host or ["nats", "localhost", "127.0.0.1"])
        server_dir.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            path = server_dir / name
            path.write_bytes(data)
            # The key is read by the nats-server process only; certificates are public.
            path.chmod(0o600 if name == "tls.key" else 0o644)
        print(f"NATS certificates written to {server_dir}")
    if args.ca_dir is not None:
        args.ca_dir.mkdir(parents=True, exist_ok=True)
        (args.ca_dir / "ca.crt").write_bytes((server_dir / "ca.crt").read_bytes())
    return 0


def _ca_key_usage(x509: Any) -> Any:
    flags = dict.fromkeys(
        (
            "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
            "encipher_only", "decipher_only",
        ),
        False,
    )  # fmt: skip
    return x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, **flags)


def make_certificates(hosts: list[str], days: int = 825) -> dict[str, bytes]:
    """A CA and a server certificate it signs for `hosts` (DNS names or IP addresses)."""
    import ipaddress
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Attendandt NATS dev CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_key_usage(x509), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    return {
        "ca.crt": ca.public_bytes(pem),
        "tls.crt": cert.public_bytes(pem),
        "tls.key": key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    }


# --------------------------------------------------------------------------- make run


@dataclass(frozen=True)
class DevNats:
    """The files and secrets `attendandt dev` starts nats-server with."""

    config: Path
    #: The password variables nats-server reads (never logged).
    server_env: dict[str, str]
    credentials: dict[str, Credentials]

    def of(self, user: str) -> Credentials:
        return self.credentials[user]


def dev_nats_config(devdata: Path) -> DevNats:
    """`devdata/nats.conf` + `accounts.conf` (what production runs), and one random password
    per user made on the first run and kept in `devdata/nats-passwords.json` (mode 0600)."""
    names = [u.name for u in USERS] + [s.name for s in EXAMPLE_HOTEL_SYSTEMS]
    store = devdata / "nats-passwords.json"
    stored: dict[str, str] = json.loads(store.read_text()) if store.exists() else {}
    # A password nats-server cannot parse (an earlier run's, starting with "-") is made anew.
    known = {name: pw for name, pw in stored.items() if usable_password(pw)}
    if set(names) - known.keys():
        for name in names:
            known.setdefault(name, new_password())
        store.write_text(json.dumps(known, indent=2))
        store.chmod(0o600)
    folder = devdata / "nats-config"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "accounts.conf").write_text(render_accounts(EXAMPLE_HOTEL_SYSTEMS))
    config = folder / "nats.conf"
    config.write_text(
        "# Generated by `attendandt dev` (make run): the production accounts, no anonymous users.\n"
        "include ./accounts.conf\n"
    )
    hotel = {s.name for s in EXAMPLE_HOTEL_SYSTEMS}
    env = {password_variable(n, hotel=n in hotel): known[n] for n in names}
    credentials = {n: Credentials(n, known[n]) for n in names}
    return DevNats(config=config, server_env=env, credentials=credentials)


__all__ = ["OPS", "DevNats", "dev_nats_config", "register"]
