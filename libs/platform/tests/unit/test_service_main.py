"""The entry points' shared start: a wrong setting is one line and exit code 2; SIGINT and
SIGTERM ask the app to stop through its event."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Mapping

import pytest

from attendandt.platform.service_main import BAD_SETTINGS, load_or_exit, serve_until_signalled
from attendandt.platform.settings import SettingsError


def test_a_wrong_setting_is_one_line_and_exit_code_2(capsys: pytest.CaptureFixture[str]) -> None:
    def load(env: Mapping[str, str]) -> int:
        raise SettingsError("DATABASE_URL is not set")

    with pytest.raises(SystemExit) as exited:
        load_or_exit("vendors", load)
    assert exited.value.code == BAD_SETTINGS == 2
    assert capsys.readouterr().err == "vendors: DATABASE_URL is not set\n"


def test_settings_that_load_are_returned() -> None:
    assert load_or_exit("vendors", lambda env: env is os.environ) is True


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_sets_the_stop_event_the_app_runs_on(sig: signal.Signals) -> None:
    seen: list[bool] = []

    async def app(stop: asyncio.Event) -> None:
        os.kill(os.getpid(), sig)
        await asyncio.wait_for(stop.wait(), 10)
        seen.append(stop.is_set())

    serve_until_signalled(app)
    assert seen == [True]
