"""Benchmark runner: `make bench` runs every benchmark, `make bench B=<name>` one.

A benchmark is a file `bench/<name>.py` inside any workspace package (dashes in the name
become underscores in the file name) with a `main()` (plain or async). It prints each figure
with `report()`, one line `bench <name> <figure>: <value> <unit>`, so results can be grepped
and compared across runs. Benchmarks start their own servers; none run inside `make test`.
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import sys
from pathlib import Path

PACKAGE_GLOBS = ("libs/*/bench/*.py", "services/*/bench/*.py", "tools/*/bench/*.py")


def report(bench: str, figure: str, value: float, unit: str) -> None:
    """Print one benchmark figure in the project's grep-able format."""
    shown = f"{value:.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    print(f"bench {bench} {figure}: {shown} {unit}", flush=True)


def discover(root: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for pattern in PACKAGE_GLOBS:
        for path in sorted(root.glob(pattern)):
            if path.name.startswith("_"):
                continue
            found[path.stem.replace("_", "-")] = path
    return found


def run_one(name: str, path: Path) -> None:
    # A benchmark may import helpers beside it (files starting with "_" are not benchmarks).
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(f"attendandt_bench_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load benchmark {name} from {path}")
    module = importlib.util.module_from_spec(spec)
    # Registered first, as an import would: dataclasses look their module up while defined.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    entry = getattr(module, "main", None)
    if entry is None:
        raise SystemExit(f"benchmark {name} ({path}) has no main()")
    print(f"# running benchmark {name}", file=sys.stderr, flush=True)
    result = entry()
    if inspect.isawaitable(result):
        asyncio.run(_await(result))


async def _await(awaitable: object) -> None:
    await awaitable  # type: ignore[misc]


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    root = Path.cwd()
    benches = discover(root)
    wanted = [a for a in args if a]
    if not wanted:
        selected = list(benches)
    else:
        unknown = [w for w in wanted if w not in benches]
        if unknown:
            known = ", ".join(sorted(benches)) or "none yet"
            raise SystemExit(f"unknown benchmark {', '.join(unknown)}; known: {known}")
        selected = wanted
    if not selected:
        print("no benchmarks found (bench/<name>.py in a workspace package)")
        return
    try:
        for name in selected:
            run_one(name, benches[name])
    except KeyboardInterrupt:
        # The benchmark cleaned up on its way out (its `finally`): no traceback to show.
        print("# interrupted", file=sys.stderr, flush=True)
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
