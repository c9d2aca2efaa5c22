"""`attendandt ingest sweep` reaches every property a running service can: one of a
portfolio token in MEWS_ACCESS_TOKENS, and one onboarded through Integration Webhooks (its
token opened with MEWS_TOKEN_KEY from the integrations bucket)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from ingest_support import stream_changes
from nats.js import JetStreamContext

from attendandt.contracts.kv import IntegrationProperty, MewsIntegration
from attendandt.contracts.streams import ensure_streams
from attendandt.ops.cli import build_parser
from attendandt.platform.integrations import IntegrationDirectory, TokenSeal, token_hint
from attendandt.testing.nats_accounts import nats_env


async def _sweep(enterprise_id: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    since = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    args = build_parser().parse_args(
        ["ingest", "sweep", "--enterprise", enterprise_id, "--since", since]
    )
    code = await args.handler(args)
    return code, capsys.readouterr().out


async def test_the_sweep_command_reaches_portfolio_and_onboarded_properties(
    mews_sim,
    nats_url: str,
    jetstream: JetStreamContext,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await ensure_streams(jetstream)
    control = mews_sim.control
    group = control.connect_portfolio("Dune Group", properties=2)
    hotel = control.connect_property("Dune Lodge")
    key = Fernet.generate_key().decode()
    seal = TokenSeal.of(key)
    assert seal is not None
    await IntegrationDirectory(jetstream, seal).put(
        MewsIntegration(
            integration_id=hotel["integration_id"],
            enterprise_id=hotel["enterprise_id"],
            state="enabled",
            sealed_token=seal.seal(hotel["access_token"]),
            token_hint=token_hint(hotel["access_token"]),
            properties=(IntegrationProperty(enterprise_id=hotel["enterprise_id"]),),
        )
    )
    for name, value in nats_env(nats_url).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MEWS_BASE_URL", mews_sim.base_url)
    monkeypatch.setenv("MEWS_CLIENT_TOKEN", group["client_token"])
    monkeypatch.setenv("MEWS_ACCESS_TOKENS", group["access_token"])
    monkeypatch.setenv("MEWS_TOKEN_KEY", key)

    for enterprise_id in (group["enterprise_ids"][1], hotel["enterprise_id"]):
        guest = control.add_customer(LastName="Dune", enterprise_id=enterprise_id)
        code, said = await _sweep(enterprise_id, capsys)
        assert code == 0, said
        swept = {
            c.mews_id for c in await stream_changes(jetstream) if c.enterprise_id == enterprise_id
        }
        assert guest["Id"] in swept, said

    code, said = await _sweep("no-such-hotel", capsys)
    assert code == 2
    assert "no token opens enterprise no-such-hotel" in said
    assert group["access_token"] not in said
