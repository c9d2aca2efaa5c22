"""A typed client for the `/_sim/` control API (sync httpx; fine from async tests too,
the simulator runs in its own process)."""

from __future__ import annotations

from typing import Any

import httpx

from attendandt.mews_sim.counters import token_hint

Json = dict[str, Any]


class SimControl:
    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        self.http = httpx.Client(base_url=f"{base_url}/_sim", timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def _post(self, path: str, body: Json | None = None) -> Any:
        response = self.http.post(path, json=body or {})
        response.raise_for_status()
        return response.json()

    def _get(self, path: str) -> Any:
        response = self.http.get(path)
        response.raise_for_status()
        return response.json()

    # state -------------------------------------------------------------------------------
    def health(self) -> bool:
        return bool(self._get("/health").get("ok"))

    def info(self) -> Json:
        return self._get("/info")  # type: ignore[no-any-return]

    def reset(
        self, seed: str | None = None, *, now_utc: str | None = None, frozen: bool = False
    ) -> Json:
        """Fresh data from the seed (e.g. `"small"`), faults/counters/limits cleared.

        `now_utc` (ISO 8601) sets the simulator's clock first and builds the hotel as it
        stands at that moment; the clock then ticks on from there, or stands still if
        `frozen`. Without it the clock returns to real time (or the seed's `anchor`)."""
        body: Json = {"seed": seed} if seed else {}
        if now_utc is not None:
            body |= {"now_utc": now_utc, "frozen": frozen}
        return self._post("/reset", body)  # type: ignore[no-any-return]

    def clock(self) -> Json:
        """`{"now_utc", "real_now_utc", "frozen", "set"}`."""
        return self._get("/clock")  # type: ignore[no-any-return]

    def set_clock(
        self,
        now_utc: str | None = None,
        *,
        advance_s: float | None = None,
        frozen: bool | None = None,
    ) -> Json:
        """Move the clock forward (to `now_utc` or by `advance_s`); it never goes back."""
        body: Json = {"now_utc": now_utc, "advance_s": advance_s, "frozen": frozen}
        return self._post("/clock", {k: v for k, v in body.items() if v is not None})  # type: ignore[no-any-return]

    def counters(self) -> Json:
        """Request, response, fault, webhook and WebSocket counts. `requests_by_enterprise`
        and `requests_by_token_hint` (see `counters.token_hint`) count every Connector
        request, refused ones too; `requests_by_scope` every enterprise each one targets
        (see `requests_for_scope`); `unauthorized_by_enterprise` the 401s for bad tokens."""
        return self._get("/counters")  # type: ignore[no-any-return]

    def requests_for(self, enterprise_id: str) -> int:
        """Connector requests made with any token of the enterprise, refused ones too."""
        return int(self.counters()["requests_by_enterprise"].get(enterprise_id, 0))

    def requests_for_scope(self, enterprise_id: str) -> int:
        """Connector requests aimed at the enterprise, refused ones too: by its `EnterpriseId`
        or among its `EnterpriseIds`, or made with its single-enterprise token. A portfolio
        token's request naming no enterprise counts for the portfolio's own enterprise."""
        return int(self.counters()["requests_by_scope"].get(enterprise_id, 0))

    def requests_with(self, access_token: str) -> int:
        """Connector requests made with this token, refused ones too."""
        return int(self.counters()["requests_by_token_hint"].get(token_hint(access_token), 0))

    def reset_counters(self) -> None:
        self._post("/counters/reset")

    # rate limit and faults -----------------------------------------------------------------
    def rate_limit(
        self,
        *,
        enabled: bool | None = None,
        limit: int | None = None,
        window_s: float | None = None,
        retry_after: bool | None = None,
    ) -> Json:
        body = {
            k: v
            for k, v in {
                "enabled": enabled,
                "limit": limit,
                "window_s": window_s,
                "retry_after": retry_after,
            }.items()
            if v is not None
        }
        return self._post("/rate-limit", body)  # type: ignore[no-any-return]

    def fail_next(self, count: int = 1, *, status: int = 500, path: str | None = None) -> Json:
        """The next `count` Connector requests (to `path`, e.g. `"orders/add"`) get `status`."""
        return self._post("/faults/errors", {"count": count, "status": status, "path": path})  # type: ignore[no-any-return]

    def latency(self, seconds: float, *, count: int | None = None, path: str | None = None) -> Json:
        return self._post("/faults/latency", {"seconds": seconds, "count": count, "path": path})  # type: ignore[no-any-return]

    def lose_response(
        self, *, path: str | None = None, count: int = 1, mode: str = "hold", hold_s: float = 30.0
    ) -> Json:
        """Commit the next write, then hold its answer for `hold_s` or drop the connection."""
        return self._post(  # type: ignore[no-any-return]
            "/faults/lost-response",
            {"path": path, "count": count, "mode": mode, "hold_s": hold_s},
        )

    def clear_faults(self) -> None:
        self._post("/faults/clear")

    # channels -------------------------------------------------------------------------------
    def ws_connections(self) -> int:
        return int(self._get("/ws")["connections"])

    def drop_websockets(self, code: int = 1011) -> int:
        return int(self._post("/ws/drop", {"code": code})["closed"])

    def configure_webhooks(self, url: str | None, **settings: Any) -> Json:
        """settings: secret, secret_param, timeout_s, retry_delay_s, max_attempts,
        batch_delay_s, max_events."""
        return self._post("/webhooks/config", {"url": url, **settings})  # type: ignore[no-any-return]

    def fail_webhooks(self, count: int) -> Json:
        return self._post("/webhooks/fail", {"count": count})  # type: ignore[no-any-return]

    def webhook_target_down(self, down: bool = True) -> Json:
        return self._post("/webhooks/down", {"down": down})  # type: ignore[no-any-return]

    def webhooks(self) -> Json:
        return self._get("/webhooks")  # type: ignore[no-any-return]

    # integrations (the property's side; Integration Webhooks go to the webhook URL) -------
    def connect_property(
        self, name: str | None = None, *, rooms: int = 6, is_enabled: bool = True
    ) -> Json:
        """A new property connects: a small seeded hotel (`rooms` rooms, a few customers and
        stays, the usual services), a fresh access token and integration, and the
        `IntegrationCreated` webhook. Returns `integration_id`, `enterprise_id`,
        `enterprise_name`, `access_token`, `client_token`, `service_id` and the integration
        as `integrations()` lists it. Gone at the next reset."""
        body: Json = {"rooms": rooms, "is_enabled": is_enabled}
        if name is not None:
            body["name"] = name
        return self._post("/integrations/connect", body)  # type: ignore[no-any-return]

    def connect_portfolio(
        self,
        name: str | None = None,
        *,
        properties: int = 3,
        rooms: int = 6,
        is_enabled: bool = True,
    ) -> Json:
        """A new portfolio connects: `properties` small hotels seeded as `connect_property`
        seeds one, all in one new chain, the portfolio's own enterprise (`IsPortfolio`, no
        hotel data, same chain), one Portfolio Access Token opening every property and one
        integration on the portfolio's enterprise, announced in `IntegrationCreated`.
        Returns `integration_id`, `enterprise_id` and `enterprise_name` (the portfolio's
        own), `access_token`, `client_token`, `chain_id`, `enterprise_ids` (the properties,
        in order), `service_ids` (property -> its Accommodation service) and the integration
        as `integrations()` lists it. Gone at the next reset."""
        body: Json = {"properties": properties, "rooms": rooms, "is_enabled": is_enabled}
        if name is not None:
            body["name"] = name
        return self._post("/integrations/connect-portfolio", body)  # type: ignore[no-any-return]

    def join_portfolio(
        self, integration_id: str, name: str | None = None, *, rooms: int = 6
    ) -> Json:
        """A new small hotel, seeded as `connect_property` seeds one, joins the portfolio of
        `integration_id` (Mews sends no webhook: the token opens it from now on). Returns
        `enterprise_id`, `enterprise_name`, `service_id` and the portfolio's
        `enterprise_ids` now."""
        body: Json = {"rooms": rooms}
        if name is not None:
            body["name"] = name
        return self._post(f"/integrations/{integration_id}/portfolio/join", body)  # type: ignore[no-any-return]

    def leave_portfolio(self, integration_id: str, enterprise_id: str) -> Json:
        """`enterprise_id` leaves the portfolio of `integration_id` (no webhook): its token
        is refused there (403) and its changes are sent no more. Returns `enterprise_ids`."""
        return self._post(  # type: ignore[no-any-return]
            f"/integrations/{integration_id}/portfolio/leave", {"enterprise_id": enterprise_id}
        )

    def integration_action(self, integration_id: str, action: str) -> Json:
        """`enable`, `disable`, `cancel`, `reinstate` or `delete` the integration (any
        integration, seeded hotels' too), sending the matching webhook; returns it."""
        return self._post(f"/integrations/{integration_id}/{action}")  # type: ignore[no-any-return]

    def rotate_api_key(self, integration_id: str, *, old_token_grace_s: float = 0) -> Json:
        """A new access token, sent in `IntegrationApiKeyCreated`; the old one is refused
        after `old_token_grace_s` (0: at once). Returns the integration and `access_token`."""
        return self._post(  # type: ignore[no-any-return]
            f"/integrations/{integration_id}/rotate-api-key",
            {"old_token_grace_s": old_token_grace_s},
        )

    def integrations(self) -> list[Json]:
        """Every integration: id, name, state, enterprise, created/deleted time, and its
        tokens (label, token_hint as in the counters, tokens, works, expires_in_s)."""
        return list(self._get("/integrations")["integrations"])

    # staff actions ------------------------------------------------------------------------
    def create_reservation(self, **fields: Any) -> Json:
        """fields: enterprise_id, customer_id, start_utc, end_utc, nights, state, category_id."""
        return self._post("/reservations", fields)  # type: ignore[no-any-return]

    def update_reservation(self, reservation_id: str, **mews_fields: Any) -> Json:
        """Mews fields: ScheduledStartUtc, ScheduledEndUtc (change the dates),
        AssignedResourceId, Purpose, ChannelNumber."""
        return self._post(f"/reservations/{reservation_id}/update", mews_fields)  # type: ignore[no-any-return]

    def cancel_reservation(self, reservation_id: str, *, reason: str | None = None) -> Json:
        """Cancel (from Confirmed, Optional, Inquired or Requested); `reason` is a Mews
        CancellationReason (default `Other`; `NoShow` for a guest who never came)."""
        body = {"reason": reason} if reason else {}
        return self._post(f"/reservations/{reservation_id}/cancel", body)  # type: ignore[no-any-return]

    def start_reservation(self, reservation_id: str) -> Json:
        """Check in a Confirmed reservation due today or earlier: Started, ActualStartUtc =
        now, UpdatedUtc = now, the WebSocket event and the webhook follow."""
        return self._post(f"/reservations/{reservation_id}/start")  # type: ignore[no-any-return]

    def process_reservation(self, reservation_id: str, *, close_bills: bool = True) -> Json:
        """Check out a Started reservation: Processed, ActualEndUtc = now, its room Dirty,
        the owner's open bills closed (unless `close_bills=False`)."""
        return self._post(f"/reservations/{reservation_id}/process", {"close_bills": close_bills})  # type: ignore[no-any-return]

    def add_payment(
        self,
        reservation_id: str,
        amount: float | str,
        *,
        type: str = "CashPayment",
        notes: str | None = None,
    ) -> Json:
        """Take a payment for the stay on its owner's open bill; returns the Mews Payment
        (its Amount negative, as Mews reports payments)."""
        body: Json = {"amount": amount, "type": type}
        if notes is not None:
            body["notes"] = notes
        return self._post(f"/reservations/{reservation_id}/payments", body)  # type: ignore[no-any-return]

    def reservations(self, enterprise_id: str | None = None) -> list[Json]:
        """Every reservation of the enterprise (default: the first) in brief: Id, Number,
        State, AccountId, AssignedResourceId, RequestedResourceCategoryId, Scheduled/Actual
        Start/End, CancelledUtc, CancellationReason, CreatedUtc, UpdatedUtc, CompanionIds."""
        query = f"?enterprise_id={enterprise_id}" if enterprise_id else ""
        return list(self._get(f"/reservations{query}")["reservations"])

    def order_items(self, enterprise_id: str | None = None) -> list[Json]:
        """Every order item of the enterprise (default: the first) in brief: Id,
        ServiceOrderId, AccountId, ServiceId, BillId, ExternalIdentifier, UnitCount,
        AccountingState, CreatedUtc."""
        query = f"?enterprise_id={enterprise_id}" if enterprise_id else ""
        return list(self._get(f"/order-items{query}")["order_items"])

    def add_companion(self, reservation_id: str, customer_id: str) -> Json:
        """Put another customer of the hotel on the stay; returns the Companionship."""
        return self._post(  # type: ignore[no-any-return]
            f"/reservations/{reservation_id}/companions", {"customer_id": customer_id}
        )

    def add_note(self, reservation_id: str, text: str, *, type: str = "General") -> Json:
        """A front-desk note on the reservation; returns the ServiceOrderNote."""
        return self._post(  # type: ignore[no-any-return]
            f"/reservations/{reservation_id}/notes", {"text": text, "type": type}
        )

    def update_note(self, note_id: str, text: str) -> Json:
        """Hotel staff change a note's text; returns the ServiceOrderNote."""
        return self._post(f"/notes/{note_id}/update", {"text": text})  # type: ignore[no-any-return]

    def add_customer(self, **mews_fields: Any) -> Json:
        """Mews customer fields (LastName required); `enterprise_id` picks the chain."""
        return self._post("/customers", mews_fields)  # type: ignore[no-any-return]

    def update_customer(self, customer_id: str, **mews_fields: Any) -> Json:
        return self._post(f"/customers/{customer_id}/update", mews_fields)  # type: ignore[no-any-return]

    def delete_customer(self, customer_id: str) -> Json:
        """Delete a customer as Mews staff do (no longer active)."""
        return self._post(f"/customers/{customer_id}/delete", {})  # type: ignore[no-any-return]

    def update_company(self, company_id: str, **mews_fields: Any) -> Json:
        """A staff edit of a company (`Name`, `IsActive`): a new UpdatedUtc, no event."""
        return self._post(f"/companies/{company_id}/update", mews_fields)  # type: ignore[no-any-return]

    def set_resource_state(self, resource_id: str, state: str) -> Json:
        return self._post(f"/resources/{resource_id}/state", {"state": state})  # type: ignore[no-any-return]

    def cancel_order_item(self, item_id: str) -> Json:
        """Cancel a posted item as Mews's staff would (not through the Connector API)."""
        return self._post(f"/order-items/{item_id}/cancel")  # type: ignore[no-any-return]

    def rebate_order_item(self, item_id: str, gross_value: float | None = None) -> Json:
        """Offset a posted item with a rebate item (the whole item unless `gross_value`)."""
        body = {} if gross_value is None else {"gross_value": gross_value}
        return self._post(f"/order-items/{item_id}/rebate", body)  # type: ignore[no-any-return]

    def change_order_item(
        self, item_id: str, *, unit_gross_value: float | None = None, unit_count: int | None = None
    ) -> Json:
        """Change a posted item's unit price or count (a planted mismatch)."""
        body: Json = {}
        if unit_gross_value is not None:
            body["unit_gross_value"] = unit_gross_value
        if unit_count is not None:
            body["unit_count"] = unit_count
        return self._post(f"/order-items/{item_id}/amount", body)  # type: ignore[no-any-return]

    def close_bill(self, bill_id: str) -> Json:
        return self._post(f"/bills/{bill_id}/close")  # type: ignore[no-any-return]

    def touch(
        self, entity: str = "reservations", count: int = 1, enterprise_id: str | None = None
    ) -> list[str]:
        """Change `count` reservations/customers/resources at once (a burst of events)."""
        body: Json = {"entity": entity, "count": count}
        if enterprise_id:
            body["enterprise_id"] = enterprise_id
        return list(self._post("/bulk/touch", body)["ids"])
