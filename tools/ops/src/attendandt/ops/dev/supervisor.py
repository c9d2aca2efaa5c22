"""The supervisor of `attendandt dev`: its children (the services and the simulator) and its
servers (nats-server, Postgres), each started again when it exits; every child's output
prefixed with its name and redacted on its way out."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from attendandt.ops.dev.config import DEFAULT_RESTARTS_PER_MINUTE
from attendandt.platform.logging import redact_text
from attendandt.testing.processes import _die_with_parent
from attendandt.testing.servers import LocalProcessServer

COLORS = ["36", "35", "33", "32", "34", "31", "96", "95"]


def say(text: str) -> None:
    print(f"\033[1mattendandt\033[0m | {text}", flush=True)


async def supervise(
    stop: asyncio.Event, children: list[Child], servers: list[Server], per_minute: int
) -> int:
    """Until Ctrl-C (0). A child that exits on its own is started again, as a supervisor
    would (the rest of the system must cope, and does); one that keeps dying stops all (1).
    A server that exits is started again on its port with its data (the services reconnect)."""
    while True:
        stopping = asyncio.ensure_future(stop.wait())
        exits = {asyncio.ensure_future(c.process.wait()): c for c in children}
        server_exits = {asyncio.ensure_future(s.exited()): s for s in servers}
        await asyncio.wait({stopping, *exits, *server_exits}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        for waiter in [*exits, *server_exits]:
            waiter.cancel()
        if stop.is_set():
            return 0
        for server in servers:
            if server.process.poll() is not None:
                await server.restart(stop)
                if stop.is_set():
                    return 0
        for child in children:
            if child.process.returncode is None:
                continue
            code = child.process.returncode
            if not child.may_restart(per_minute):
                say(f"{child.name} keeps exiting (code {code}); stopping")
                return 1
            say(f"{child.name} exited with code {code}; starting it again")
            await asyncio.sleep(1)
            await child.restart()


@dataclass
class Server:
    """nats-server or Postgres under the supervisor: started again by the same function
    (same port, same data directory) when it exits."""

    name: str
    starter: Callable[[], LocalProcessServer]
    current: LocalProcessServer
    #: How often it polls for the server's exit (its process is not an asyncio one).
    poll_s: float = 0.5

    @classmethod
    def start(cls, name: str, starter: Callable[[], LocalProcessServer]) -> Server:
        return cls(name, starter, starter())

    @property
    def url(self) -> str:
        return self.current.url

    @property
    def process(self) -> subprocess.Popen[bytes]:
        return self.current.process

    async def exited(self) -> int:
        while True:
            code = self.process.poll()
            if code is not None:
                return code
            await asyncio.sleep(self.poll_s)

    async def restart(self, stop: asyncio.Event) -> None:
        """Start it again until it runs (a killed Postgres's backends take a moment to go,
        and its port stays taken until then), pausing longer after each failure."""
        say(f"{self.name} exited with code {self.process.returncode}; starting it again")
        pause = 1.0
        while not stop.is_set():
            try:
                # Blocking (it waits for the port): in a thread, so children's output flows.
                self.current = await asyncio.to_thread(self.starter)
            except Exception as exc:
                say(f"{self.name} did not start ({type(exc).__name__}); trying again")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)
                pause = min(pause * 2, 10.0)
                continue
            say(f"{self.name} running again")
            return

    def stop(self) -> None:
        self.current.stop()


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    prefix: str
    process: asyncio.subprocess.Process
    pump: asyncio.Task[None]
    restarts: list[float] = field(default_factory=list)

    @classmethod
    async def start(cls, name: str, argv: list[str], env: dict[str, str], index: int) -> Child:
        prefix = f"\033[{COLORS[index % len(COLORS)]}m{name:>10}\033[0m | "
        process, pump = await _launch(argv, env, prefix)
        return cls(name, argv, env, prefix, process, pump)

    def may_restart(self, per_minute: int = DEFAULT_RESTARTS_PER_MINUTE) -> bool:
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if t > now - 60]
        return len(self.restarts) < per_minute

    async def restart(self) -> None:
        self.restarts.append(time.monotonic())
        self.process, self.pump = await _launch(self.argv, self.env, self.prefix)

    async def stop(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(self.pump, 2)


async def _launch(
    argv: list[str], env: dict[str, str], prefix: str
) -> tuple[asyncio.subprocess.Process, asyncio.Task[None]]:
    process = await asyncio.create_subprocess_exec(
        *argv,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        # Its own process group: a Ctrl-C in the terminal goes to the supervisor, which
        # stops the services before the servers they use.
        process_group=0,
        preexec_fn=lambda: _die_with_parent(signal.SIGTERM),
    )
    return process, asyncio.create_task(_pump(process, prefix))


async def _pump(process: asyncio.subprocess.Process, prefix: str) -> None:
    assert process.stdout is not None
    async for line in process.stdout:
        # A last line of defence: whatever a child prints, no token-shaped text gets out.
        sys.stdout.write(prefix + redact_text(line.decode(errors="replace")))
        sys.stdout.flush()
