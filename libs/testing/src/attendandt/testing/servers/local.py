"""What every server helper returns: a server we started (and stop), or one someone else runs."""

from __future__ import annotations

import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from attendandt.testing.processes import stop


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
