"""Every source module small enough to read in one sitting: no file under services/*/src,
libs/*/src or tools/*/src over 500 lines (migrations aside: each is one schema step)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LIMIT = 500


def source_files() -> list[Path]:
    found = [
        path
        for pattern in ("services/*/src/**/*.py", "libs/*/src/**/*.py", "tools/*/src/**/*.py")
        for path in ROOT.glob(pattern)
        if "migrations" not in path.parts
    ]
    assert len(found) > 100, "the source tree was not found"
    return found


def test_no_source_module_is_over_500_lines() -> None:
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in source_files()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert not too_long, f"split these by responsibility: {too_long}"
