"""The shape of the source tree: every module small enough to read in one sitting (no file
under services/*/src, libs/*/src or tools/*/src over 500 lines, migrations aside: each is one
schema step), and each package's tests declaring the packages they import."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
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


def _packages() -> dict[Path, tuple[str, str, set[str]]]:
    """Each workspace package's folder: its name, its module and what it declares (its
    dependencies and its `dev` group, by distribution name)."""
    found = {}
    for pyproject in ROOT.glob("*/*/pyproject.toml"):
        if pyproject.parts[-3] not in {"libs", "services", "tools"}:
            continue
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        declared = [
            *data["project"].get("dependencies", []),
            *data.get("dependency-groups", {}).get("dev", []),
        ]
        names = {re.split(r"[\[<>=;! ]", entry)[0] for entry in declared}
        module = data["tool"]["uv"]["build-backend"]["module-name"]
        found[pyproject.parent] = (data["project"]["name"], module, names)
    assert len(found) > 10, "the workspace packages were not found"
    return found


def _imported_modules(tests: Path) -> set[str]:
    modules: set[str] = set()
    for path in tests.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module)
    return modules


def test_each_package_s_tests_declare_the_workspace_packages_they_import() -> None:
    """A package's tests import only itself and what its pyproject declares (dependencies, or
    the `dev` group for test-only ones); every test session loads `attendandt.testing`."""
    packages = _packages()
    by_module = {module: name for name, module, _ in packages.values()}
    undeclared = {}
    for folder, (name, _, declared) in packages.items():
        tests = folder / "tests"
        if not tests.is_dir():
            continue
        used = {"attendandt-testing"} | {
            distribution
            for imported in _imported_modules(tests)
            for module, distribution in by_module.items()
            if imported == module or imported.startswith(module + ".")
        }
        if missing := sorted(used - declared - {name}):
            undeclared[name] = missing
    assert not undeclared, f"add these to the package's `dev` dependency group: {undeclared}"
