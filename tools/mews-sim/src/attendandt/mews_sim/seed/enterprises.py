"""Each hotel's enterprise: its Mews entity, what the simulator knows of it, its tokens."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from attendandt.mews_sim import clock, shapes
from attendandt.mews_sim.seed.ids import ID_NAMESPACE
from attendandt.mews_sim.seed.specs import EnterpriseSpec
from attendandt.mews_sim.store import EnterpriseInfo, Integration, Store, TokenPair

# Public demo token pairs published by Mews (guidelines/environments.md): the same pairs work
# unchanged against the simulator. The first pair of each enterprise is the one every
# documentation example uses.
DEMO_CLIENT_TOKENS = (
    "E0D439EE522F44368DC78E1BFB03710C-D24FB11DBE31D4621C4817E028D9E1D",
    "E916C341431C4D28A866AD200152DBD3-A046EB5583FFBE94DE1172237763712",
    "2CC71B0660F345019882AD200155B4FE-4A1FC9080A4DD2A404734003674F77E",
    "07AB1F14B55C49B8BDD6AD200158423B-273A4497AFF5E20566D7199DB3DC2BA",
)
DEMO_INTEGRATION_NAMES = (
    "Are you ready to integrate with Mews?",
    "Connector API Test Client 2",
    "Connector API Test Client 3",
    "Connector API Test Client 4",
)


def add_enterprise(
    store: Store, spec: EnterpriseSpec, index: int, *, integration_id: str | None = None
) -> None:
    """The enterprise, with an integration and tokens of its own unless it joins
    `integration_id` (a portfolio's property: it is reached with the portfolio's token and
    its General Webhooks name the portfolio's integration)."""
    chain_id = spec.chain_id or str(uuid.uuid5(ID_NAMESPACE, f"chain-{spec.id}"))
    joined = integration_id is not None
    integration_id = integration_id or str(uuid.uuid5(ID_NAMESPACE, f"integration-{spec.id}"))
    created = clock.fmt(datetime(2022, 3, 23, 17, 12, 6, tzinfo=UTC) + timedelta(days=index))
    linked = clock.fmt(datetime(2023, 6, 1, tzinfo=UTC) + timedelta(hours=index))
    store.enterprises.add(
        shapes.enterprise(
            id=spec.id,
            chain_id=chain_id,
            name=spec.name,
            pricing=spec.pricing,
            currency=spec.currency,
            time_zone=spec.time_zone,
            legal_environment=spec.legal,
            tax_environment=spec.tax_environment,
            address_fields=spec.address,
            address_id=str(uuid.uuid5(ID_NAMESPACE, f"address-{spec.id}")),
            created=created,
            updated=clock.fmt(datetime(2023, 10, 15, tzinfo=UTC) + timedelta(days=index)),
            linked=linked,
            external_identifier="Enterprise2023" if index == 0 else f"Enterprise{index + 2023}",
            short_name=spec.short_name,
            chain_name=spec.chain_name,
            default_language=spec.language,
            phone=spec.phone,
            email=spec.email,
            website=spec.website,
            is_portfolio=spec.is_portfolio,
        ),
        spec.id,
    )
    store.info[spec.id] = EnterpriseInfo(
        id=spec.id,
        chain_id=chain_id,
        name=spec.name,
        pricing="Gross" if spec.pricing == "Gross" else "Net",
        currency=spec.currency,
        default_tax_code=spec.tax_code,
        time_zone=spec.time_zone,
        integration_id=integration_id,
        is_portfolio=spec.is_portfolio,
    )
    if joined:
        return
    # One integration per enterprise, all its tokens in it: disabling it refuses them all,
    # and its id is the IntegrationId of the enterprise's General Webhooks.
    store.add_integration(
        Integration(
            id=integration_id,
            name=DEMO_INTEGRATION_NAMES[0],
            enterprise_id=spec.id,
            created_utc=linked,
        )
    )
    short = "gross" if index == 0 else "net" if index == 1 else f"e{index + 1}"
    for k, access_token in enumerate(spec.access_tokens):
        client_token = DEMO_CLIENT_TOKENS[k % len(DEMO_CLIENT_TOKENS)]
        store.add_token(
            TokenPair(
                label=f"{short}-{k + 1}",
                name=DEMO_INTEGRATION_NAMES[k % len(DEMO_INTEGRATION_NAMES)],
                client_token=client_token,
                access_token=access_token,
                enterprise_id=spec.id,
                integration_id=integration_id,
            )
        )


def add_extra_integrations(
    store: Store, specs: list[EnterpriseSpec], extra_tokens: tuple[tuple[str, str, int], ...]
) -> None:
    """Token pairs configured on the command line, each for the enterprise it names."""
    for client_token, access_token, enterprise_index in extra_tokens:
        spec = specs[min(max(enterprise_index, 0), len(specs) - 1)]
        store.add_token(
            TokenPair(
                label=f"extra-{len(store.tokens)}",
                name="Configured integration",
                client_token=client_token,
                access_token=access_token,
                enterprise_id=spec.id,
                integration_id=store.info[spec.id].integration_id,
            )
        )
