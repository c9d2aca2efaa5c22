"""A Postgres cluster from the server binaries on this machine, a child of this process.

The Debian server binaries come first, then any `postgres` on PATH; when we are root the
server runs as the `postgres` user, since postgres refuses root.
"""

from __future__ import annotations

import contextlib
import grp
import hashlib
import os
import pwd
import shutil
import signal
import stat
import subprocess
import time
from pathlib import Path

from attendandt.testing.processes import free_port, spawn, stop, wait_for_port
from attendandt.testing.servers.local import LocalProcessServer, ServerUnavailable


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
