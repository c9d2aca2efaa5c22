"""Integrations and the Mews Integration Webhooks about them.

An integration is a partner application's connection to one enterprise (a portfolio's own
enterprise for a Portfolio Access Token, see `portfolios`). The property connects
it, enables, disables, cancels, reinstates or deletes it, or regenerates its access token, and
Mews tells the partner with one webhook per event: `{"Action": ..., "Data": {...}}`, sent to
the General Webhooks' URL (Mews allows one URL for both) under the same delivery rules. Its
tokens work only while it is Enabled; a rotated-out token works for a grace period.

The tokens (`AccessToken`, `ApiKey`) are in the webhooks because Mews sends them; they never
go to a log, and the deliveries the control API lists show them masked.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import Any

from attendandt.mews_sim import clock
from attendandt.mews_sim.counters import token_hint
from attendandt.mews_sim.errors import NotFound, invalid
from attendandt.mews_sim.seed.connected import add_connected_property, new_access_token
from attendandt.mews_sim.seed.specs import EnterpriseSpec
from attendandt.mews_sim.state import SimState
from attendandt.mews_sim.store import Integration, IntegrationState, Store, TokenPair

log = logging.getLogger("attendandt.mews_sim.integrations")

Json = dict[str, Any]


@dataclass(frozen=True)
class Transition:
    allowed_from: frozenset[IntegrationState]
    to: IntegrationState
    webhook_action: str


#: What the property can do to an integration in Mews, and the webhook each sends.
TRANSITIONS: dict[str, Transition] = {
    "enable": Transition(frozenset({"Disabled"}), "Enabled", "IntegrationEnabled"),
    "disable": Transition(frozenset({"Enabled"}), "Disabled", "IntegrationDisabled"),
    "cancel": Transition(frozenset({"Enabled", "Disabled"}), "Canceled", "IntegrationCanceled"),
    "reinstate": Transition(frozenset({"Canceled"}), "Enabled", "IntegrationReinstated"),
    "delete": Transition(
        frozenset({"Enabled", "Disabled", "Canceled"}), "Deleted", "IntegrationDeleted"
    ),
}

#: Unknown and refused tokens get the same 401 as any invalid token (CONNECTOR_API.md §2, §7);
#: the second sentence only helps whoever reads the message.
INVALID_TOKEN = "Invalid AccessToken."  # noqa: S105 - an error message, not a secret


def refusal(store: Store, token: TokenPair) -> str | None:
    """Why a known token is refused (the 401 message), or None when it works."""
    if token.expires_at is not None and time.monotonic() >= token.expires_at:
        return INVALID_TOKEN
    integration = store.integrations.get(token.integration_id)
    if integration is not None and integration.state != "Enabled":
        return f"{INVALID_TOKEN} The integration is {integration.state.lower()}."
    return None


def find(store: Store, integration_id: str) -> Integration:
    integration = store.integrations.get(integration_id.lower())
    if integration is None:
        raise NotFound(f"No integration {integration_id[:60]}.")
    return integration


def connect(state: SimState, *, name: str | None, rooms: int, is_enabled: bool) -> Json:
    """A new property connects: its hotel is seeded, its integration made, and the partner
    gets `IntegrationCreated` with the access token."""
    store = state.store
    connected = add_connected_property(store, name=name, rooms=rooms, now=clock.now())
    spec = connected.spec
    integration = store.integrations[store.info[spec.id].integration_id]
    service = store.services.items[connected.service_id]
    token = announce_created(
        state,
        integration,
        spec,
        service={"Id": service["Id"], "Name": service["Name"]},
        is_enabled=is_enabled,
    )
    return {
        **created_answer(store, integration, spec, token),
        "service_id": service["Id"],
    }


def announce_created(
    state: SimState,
    integration: Integration,
    spec: EnterpriseSpec,
    *,
    service: Json | None,
    is_enabled: bool,
) -> TokenPair:
    """The property's (or portfolio's) new integration, enabled or not, made known to the
    partner in `IntegrationCreated` with its access token."""
    integration.created_utc = clock.now_str()
    integration.state = "Enabled" if is_enabled else "Disabled"
    token = state.store.live_tokens(integration.id)[0]
    _send(
        state,
        integration,
        "IntegrationCreated",
        {
            "Enterprise": {"Id": spec.id, "Name": spec.name},
            "Service": service,
            "Requestor": {"Name": "Property manager (SIM)", "Email": spec.email},
            "AccessToken": token.access_token,
            "CreatedUtc": integration.created_utc,
            "IsEnabled": is_enabled,
            "Integration": _ref(integration),
        },
    )
    return token


def created_answer(
    store: Store, integration: Integration, spec: EnterpriseSpec, token: TokenPair
) -> Json:
    """What the control API answers to a connect: the integration and how to call with it."""
    return {
        **describe(store, integration),
        "integration_id": integration.id,
        "enterprise_id": spec.id,
        "enterprise_name": spec.name,
        "access_token": token.access_token,
        "client_token": token.client_token,
    }


def act(state: SimState, integration_id: str, action: str) -> Integration:
    """The property enables, disables, cancels, reinstates or deletes the integration."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise invalid("action", f"One of {', '.join(TRANSITIONS)}, rotate-api-key.")
    integration = find(state.store, integration_id)
    if integration.state not in transition.allowed_from:
        raise invalid("action", f"Cannot {action} an integration that is {integration.state}.")
    integration.state = transition.to
    data: Json = {"Integration": _ref(integration)}
    if transition.to == "Deleted":
        integration.deleted_utc = clock.now_str()
        data = {"DeletedUtc": integration.deleted_utc, **data}
    if transition.to != "Enabled":
        # Its tokens stop working, so do the sockets opened with them.
        state.ws.drop_integration(integration.id)
    _send(state, integration, transition.webhook_action, data)
    return integration


def rotate_api_key(state: SimState, integration_id: str, *, old_token_grace_s: float) -> TokenPair:
    """The property regenerates the access token: the partner gets the new one in
    `IntegrationApiKeyCreated`; the old one works `old_token_grace_s` more seconds.

    An enterprise seeded with several demo tokens rotates its first one."""
    store = state.store
    integration = find(store, integration_id)
    if integration.state == "Deleted":
        raise invalid("action", "The integration is deleted.")
    old = store.live_tokens(integration.id)[0]
    new = replace(old, access_token=new_access_token(), expires_at=None)
    store.replace_token(old, new)
    old.expires_at = time.monotonic() + old_token_grace_s
    _send(
        state,
        integration,
        "IntegrationApiKeyCreated",
        {"Integration": _ref(integration), "ApiKey": new.access_token},
    )
    return new


def describe(store: Store, integration: Integration) -> Json:
    info = store.info.get(integration.enterprise_id)
    now = time.monotonic()
    return {
        "id": integration.id,
        "name": integration.name,
        "state": integration.state,
        "enterprise_id": integration.enterprise_id,
        "enterprise_name": info.name if info else None,
        "created_utc": integration.created_utc,
        "deleted_utc": integration.deleted_utc,
        "tokens": [
            {
                "label": t.label,
                "token_hint": token_hint(t.access_token),
                "client_token": t.client_token,
                "access_token": t.access_token,
                "works": refusal(store, t) is None,
                "expires_in_s": None
                if t.expires_at is None
                else round(max(t.expires_at - now, 0.0), 3),
            }
            for t in store.tokens.values()
            if t.integration_id == integration.id
        ],
    }


def _ref(integration: Integration) -> Json:
    return {"Id": integration.id, "Name": integration.name}


def _send(state: SimState, integration: Integration, action: str, data: Json) -> None:
    shown = {
        key: f"***{token_hint(value)}" if key in {"AccessToken", "ApiKey"} else value
        for key, value in data.items()
    }
    log.info("integration webhook %s for integration %s", action, integration.id)
    state.webhooks.send_integration(
        {"Action": action, "Data": data}, {"Action": action, "Data": shown}
    )
