"""Ingest settings from the environment: a bad value is refused with what to set."""

from __future__ import annotations

import pytest

from attendandt.mews_ingest.settings import IngestSettings
from attendandt.platform.settings import SettingsError

BASE = {"MEWS_CLIENT_TOKEN": "client", "MEWS_ACCESS_TOKENS": "access"}


def test_how_often_a_portfolio_is_asked_again_comes_from_the_environment() -> None:
    assert IngestSettings.from_env(BASE).portfolio_check_s == 300.0
    assert IngestSettings.from_env({**BASE, "PORTFOLIO_CHECK_S": "2"}).portfolio_check_s == 2.0


@pytest.mark.parametrize("value", ["0", "-5"])
def test_a_portfolio_check_that_is_not_positive_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="PORTFOLIO_CHECK_S must be > 0"):
        IngestSettings.from_env({**BASE, "PORTFOLIO_CHECK_S": value})
