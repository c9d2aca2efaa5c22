"""Faults a test can inject into the Connector API: server errors, latency, and writes that
succeed in Mews while the client never sees the answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass
class ErrorFault:
    status: int
    remaining: int
    path: str | None = None
    message: str = "Injected server error."


@dataclass
class LatencyFault:
    seconds: float
    remaining: int | None = None  # None: until cleared
    path: str | None = None


@dataclass
class LostResponseFault:
    """Commit the request, then hold the answer for `hold_s` or drop the connection."""

    remaining: int
    path: str | None = None
    mode: Literal["hold", "drop"] = "hold"
    hold_s: float = 30.0


def _matches(fault_path: str | None, path: str) -> bool:
    return fault_path is None or fault_path.strip("/") == path


@dataclass
class Faults:
    errors: list[ErrorFault] = field(default_factory=list)
    latency: list[LatencyFault] = field(default_factory=list)
    lost: list[LostResponseFault] = field(default_factory=list)

    def clear(self) -> None:
        self.errors.clear()
        self.latency.clear()
        self.lost.clear()

    def take_error(self, path: str) -> ErrorFault | None:
        for fault in self.errors:
            if fault.remaining > 0 and _matches(fault.path, path):
                fault.remaining -= 1
                self.errors = [f for f in self.errors if f.remaining > 0]
                return fault
        return None

    def delay_for(self, path: str) -> float:
        total = 0.0
        for fault in self.latency:
            if _matches(fault.path, path) and (fault.remaining is None or fault.remaining > 0):
                total += fault.seconds
                if fault.remaining is not None:
                    fault.remaining -= 1
        self.latency = [f for f in self.latency if f.remaining is None or f.remaining > 0]
        return total

    def take_lost(self, path: str) -> LostResponseFault | None:
        for fault in self.lost:
            if fault.remaining > 0 and _matches(fault.path, path):
                fault.remaining -= 1
                self.lost = [f for f in self.lost if f.remaining > 0]
                return fault
        return None

    def describe(self) -> dict[str, object]:
        return {
            "errors": [vars(f) for f in self.errors],
            "latency": [vars(f) for f in self.latency],
            "lost_responses": [vars(f) for f in self.lost],
        }
