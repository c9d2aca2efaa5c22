"""The ops command's environment for a local stack: `attendandt dev` (make run) writes
`<devdata>/ops.env` (mode 0600) with what the ops commands need to reach it: NATS_URL with
the ops user, the Postgres admin URL and each service's database URL, and the MEWS_*
variables the services run with (the simulator's tokens by default). Every other
`attendandt` command reads it at start, from ATTENDANDT_DEVDATA or `./.devdata`, and fills
in only the variables left unset: what the shell exports always wins.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from pathlib import Path

FILE = "ops.env"


def database_variable(service: str) -> str:
    """`users` → USERS_DATABASE_URL: a service's database URL, as its role."""
    return f"{service.upper().replace('-', '_')}_DATABASE_URL"


def devdata_dir(env: Mapping[str, str]) -> Path:
    return Path(env.get("ATTENDANDT_DEVDATA", ".devdata"))


def write(devdata: Path, values: Mapping[str, str]) -> Path:
    path = devdata / FILE
    lines = [
        "# Written by `attendandt dev` (make run) at every start: the ops commands' settings",
        "# for this stack. Variables exported in the shell take precedence.",
        *(f"{name}={value}" for name, value in sorted(values.items())),
    ]
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text("\n".join(lines) + "\n")
    return path


def read(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, value = line.split("=", 1)
        values[name.strip()] = value
    return values


def apply(env: MutableMapping[str, str]) -> Path | None:
    """Fill `env`'s unset variables from the local stack's file; the file read, if any."""
    path = devdata_dir(env) / FILE
    if not path.is_file():
        return None
    for name, value in read(path).items():
        if not env.get(name):
            env[name] = value
    return path


def hint(env: Mapping[str, str] = os.environ) -> str:
    """What to say after "X is not set" when no local stack's file was found."""
    path = devdata_dir(env) / FILE
    if path.is_file():
        return ""
    return (
        f" (against a local `make run`, run this from the project folder: `attendandt dev` "
        f"writes the settings to {path}, or set ATTENDANDT_DEVDATA)"
    )
