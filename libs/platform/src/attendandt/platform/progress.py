"""A one-line progress bar on stderr for long ops commands (sweeps, backfills)."""

from __future__ import annotations

import sys

WIDTH = 30


def draw_bar(label: str, done: int, total: int, detail: str) -> None:
    """Redraw `label [####......] detail` in place; end the line once `done == total`."""
    filled = WIDTH * done // max(total, 1)
    sys.stderr.write(f"\r{label:<13} [{'#' * filled}{'.' * (WIDTH - filled)}] {detail}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()
