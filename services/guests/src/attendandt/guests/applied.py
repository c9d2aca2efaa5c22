"""What a command from sync did."""

from __future__ import annotations

import enum


class Applied(enum.StrEnum):
    APPLIED = "applied"
    #: The stored Mews version is as new or newer: nothing changed.
    STALE = "stale"
    #: This command id was processed before: nothing changed.
    DUPLICATE = "duplicate"
