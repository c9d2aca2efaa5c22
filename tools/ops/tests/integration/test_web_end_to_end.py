"""The web app's end-to-end tests (web/e2e, Playwright in a headless system Chromium) against
the whole system as `make run` starts it: booking, confirming and posting a charge, live
updates from Mews, vendor isolation, and axe-core accessibility checks of every main page.
Screenshots of the main pages go to docs/screenshots."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

WEB = Path(__file__).resolve().parents[4] / "web"


def _chromium() -> Path:
    path = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {path}: the web app's end-to-end tests run in it. Install it "
            "(Debian: `apt-get install chromium`) or point CHROMIUM_PATH at a Chromium binary.",
            pytrace=False,
        )
    return path


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail(
            "npm not found: the web app's end-to-end tests need Node.js 20+ "
            "(Debian: `apt-get install nodejs npm`, or https://nodejs.org).",
            pytrace=False,
        )
    return npm


@pytest.fixture(scope="session")
def browser_and_npm() -> tuple[Path, str]:
    """Checked before the stack starts: without them there is no point in starting it."""
    return _chromium(), _npm()


@pytest.mark.timeout(900)
def test_web_app_end_to_end_in_chromium(
    browser_and_npm: tuple[Path, str], stack: dict[str, Any]
) -> None:
    chromium, npm = browser_and_npm
    if stack["web_problem"]:
        pytest.fail(f"the web app was not built: {stack['web_problem']}", pytrace=False)
    if not (WEB / "node_modules" / ".bin" / "playwright").exists():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=WEB,
            check=True,
            timeout=600,
        )
    env = {
        **os.environ,
        "BASE_URL": stack["gateway"],
        "SIM_URL": stack["sim"],
        "E2E_PASSWORD": stack["password"],
        "E2E_DEVDATA": stack["devdata"],
        "CHROMIUM_PATH": str(chromium),
        "CI": "1",
    }
    started = time.monotonic()
    run = subprocess.run(
        [npm, "run", "e2e"],
        cwd=WEB,
        env=env,
        capture_output=True,
        text=True,
        timeout=840,
        check=False,
    )
    output = f"{run.stdout}\n{run.stderr}".strip()
    print(output)
    print(f"web end-to-end tests took {time.monotonic() - started:.0f} s")
    assert run.returncode == 0, f"`npm run e2e` failed (exit {run.returncode}):\n{output}"
