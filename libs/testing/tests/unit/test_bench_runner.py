"""The benchmark runner (`make bench B=<name>`): finds `bench/<name>.py` files in the
workspace's packages and runs one, its figures in the grep-able format."""

from pathlib import Path

import pytest

from attendandt.testing.bench import main

TINY = """
from __future__ import annotations

from dataclasses import dataclass

from attendandt.testing.bench import report


@dataclass
class Figure:
    value: int


def main() -> None:
    report("tiny-one", "answer", Figure(42).value, "units")
"""

INTERRUPTED = """
def main() -> None:
    raise KeyboardInterrupt
"""


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bench = tmp_path / "tools" / "example" / "bench"
    bench.mkdir(parents=True)
    (bench / "tiny_one.py").write_text(TINY)
    (bench / "stopped.py").write_text(INTERRUPTED)
    monkeypatch.chdir(tmp_path)
    return bench


def test_a_benchmark_defining_dataclasses_runs_and_reports(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["tiny-one"])
    assert "bench tiny-one answer: 42 units" in capsys.readouterr().out


def test_an_interrupted_benchmark_exits_130_without_a_traceback(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["stopped"])
    assert exited.value.code == 130
    assert "interrupted" in capsys.readouterr().err


def test_an_unknown_benchmark_names_the_known_ones(workspace: Path) -> None:
    with pytest.raises(SystemExit, match="known: stopped, tiny-one"):
        main(["nope"])
