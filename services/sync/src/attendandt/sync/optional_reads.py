"""The Mews reads a pass can do without (companions, notes, room types): an operation Mews
refuses is left alone for a while and said once in the log, not once per pass."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from attendandt.mews import MewsBadRequest, MewsForbidden, MewsNotFound, MewsUnauthorized

log = logging.getLogger(__name__)

#: What Mews answers for an operation this token may not use (401), one this Mews does not
#: have (404), or a request it will not take (400, 403): asking again will not help soon.
REFUSALS = (MewsBadRequest, MewsUnauthorized, MewsForbidden, MewsNotFound)


class OptionalReads:
    """The Mews reads a pass can do without, and whether to try them now: one Mews refused
    is left alone for `retry_after_s`, and said once in the log, not once per pass."""

    def __init__(
        self, retry_after_s: float = 3600.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.retry_after_s = retry_after_s
        self._clock = clock
        self._refused_at: dict[str, float] = {}

    def available(self, operation: str) -> bool:
        refused = self._refused_at.get(operation)
        return refused is None or self._clock() - refused >= self.retry_after_s

    def refused(self, operation: str, enterprise_id: str, exc: Exception) -> None:
        first = operation not in self._refused_at
        self._refused_at[operation] = self._clock()
        if first:
            log.warning(
                "Mews refused %s for enterprise %s (%s): sync goes on without it; asking "
                "again in %.0f s",
                operation,
                enterprise_id,
                exc,
                self.retry_after_s,
            )

    def answered(self, operation: str) -> None:
        if self._refused_at.pop(operation, None) is not None:
            log.info("Mews answers %s again", operation)
