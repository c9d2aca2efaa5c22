"""The Mews rate limit: N requests per AccessToken within a sliding window.

A true sliding log, not clock-aligned buckets: a client counting in fixed :00/:30 buckets can
hit it, as with Mews. Rejected requests do not count.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field


@dataclass
class RateLimitConfig:
    enabled: bool = True
    limit: int = 200
    window_s: float = 30.0
    retry_after: bool = True


@dataclass
class RateLimiter:
    config: RateLimitConfig = field(default_factory=RateLimitConfig)
    hits: dict[str, deque[float]] = field(default_factory=dict)

    def reset(self, config: RateLimitConfig | None = None) -> None:
        if config is not None:
            self.config = config
        self.hits.clear()

    def check(self, token: str, now: float | None = None) -> float | None:
        """Record a request; None when allowed, else seconds until a slot frees up."""
        if not self.config.enabled:
            return None
        moment = time.monotonic() if now is None else now
        window = self.hits.setdefault(token, deque())
        while window and window[0] <= moment - self.config.window_s:
            window.popleft()
        if len(window) >= self.config.limit:
            return max(window[0] + self.config.window_s - moment, 0.0)
        window.append(moment)
        return None

    @staticmethod
    def retry_after_header(wait_s: float) -> str:
        return str(max(1, math.ceil(wait_s)))
