"""Helpers for tests of Portfolio Access Tokens (`SimControl.connect_portfolio`)."""

from __future__ import annotations

from typing import Any

from attendandt.mews_sim.runner import SimToken

LIMIT = {"Limitation": {"Count": 1000}}


def portfolio_token(connected: dict[str, Any], access_token: str | None = None) -> SimToken:
    return SimToken(
        "portfolio",
        connected["name"],
        connected["client_token"],
        access_token or connected["access_token"],
    )
