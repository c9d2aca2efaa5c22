"""The environment variables each `attendandt` command reads, shown in its `--help`.

One table, so a command without its row fails a test instead of leaving an operator to
guess. A required variable that is unset stops the command with its name and the fix.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

Variables = tuple[tuple[str, str], ...]

NATS: Variables = (
    (
        "NATS_URL",
        "NATS server, or a cluster's servers comma-separated (default nats://127.0.0.1:4222)",
    ),
    ("NATS_USER / NATS_PASSWORD", "this client's NATS user (both or neither)"),
    ("NATS_TLS_CA_FILE", "CA of the server's certificate, for tls:// URLs"),
)
MEWS: Variables = (
    ("MEWS_CLIENT_TOKEN", "required: the integration's ClientToken"),
    ("MEWS_ACCESS_TOKENS", "required: AccessTokens, comma-separated (one per property)"),
    ("MEWS_BASE_URL / MEWS_ENV", "the Mews API (a URL, or demo | production; default demo)"),
    ("MEWS_WS_URL", "Mews WebSocket (default: derived from the API URL)"),
    ("MEWS_CLIENT_NAME, MEWS_PAGE_SIZE", "client name sent to Mews, page size"),
)
USERS_DATABASE: Variables = (
    (
        "DATABASE_URL / USERS_DATABASE_URL",
        "required (or --database-url): the users database, as its role",
    ),
)
NONE: Variables = ()

#: Command path → the variables it reads (beyond these, none).
COMMANDS: dict[str, Variables] = {
    "charges reconcile": NATS + MEWS,
    "contracts check": NONE,
    "contracts snapshot": NONE,
    "contracts asyncapi": NONE,
    "dev": (
        ("MEWS_ENV", "sim (default: the local simulator) | demo | production"),
        ("MEWS_CLIENT_TOKEN / MEWS_ACCESS_TOKENS", "tokens, when not the simulator's"),
        ("ATTENDANDT_DEVDATA", "where the stack keeps its data (default .devdata)"),
        ("ATTENDANDT_DEV_ADMIN_PASSWORD", "the seeded admin's password (default: kept)"),
        ("NATS_PORT, POSTGRES_PORT, GATEWAY_PORT, INGEST_PORT, MEWS_SIM_PORT", "ports"),
        ("HEALTH_PORT_BASE", "first health port (services take the next ones)"),
    ),
    "dlq list": NATS,
    "dlq show": NATS,
    "dlq requeue": NATS,
    "events scrub": NATS,
    "ingest sweep": NATS + MEWS,
    "ingest resync": NATS,
    "migrate": (
        ("DATABASE_URL", "the database to migrate, as the service role (or --database-url)"),
        ("DATABASE_ADMIN_URL", "an admin URL, to provision the roles too (or --admin-url)"),
    ),
    "nats accounts": NONE,
    "nats ensure-streams": (
        *NATS,
        ("NATS_STREAM_REPLICAS", "servers holding each stream (or --replicas; 3 on a cluster)"),
    ),
    "nats dev-certs": NONE,
    "status": NATS,
    "sync backfill": NATS + MEWS,
    "sync reconcile": NATS + MEWS,
    "users create-admin": NATS + USERS_DATABASE,
}


def epilog(variables: Variables) -> str:
    if not variables:
        return "environment: none read."
    width = max(len(name) for name, _ in variables)
    lines = [f"  {name.ljust(width)}  {text}" for name, text in variables]
    return (
        "environment:\n" + "\n".join(lines) + "\n\nA required variable left unset stops "
        "the command with its name and how to set it. Beside a `make run`, the variables "
        "left unset are read from .devdata/ops.env (or $ATTENDANDT_DEVDATA/ops.env), which "
        "`attendandt dev` writes."
    )


def commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every leaf command under `parser`, by its path (e.g. `sync reconcile`)."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups and path:
        yield " ".join(path), parser
    for group in groups:
        for name, child in group.choices.items():
            yield from commands(child, (*path, name))


def document(parser: argparse.ArgumentParser) -> list[str]:
    """Add each command's variables to its `--help`; the commands with no row."""
    missing = []
    for path, command in commands(parser):
        variables = COMMANDS.get(path)
        if variables is None:
            missing.append(path)
            continue
        extra = epilog(variables)
        command.epilog = f"{command.epilog}\n\n{extra}" if command.epilog else extra
        command.formatter_class = argparse.RawDescriptionHelpFormatter
    return missing
