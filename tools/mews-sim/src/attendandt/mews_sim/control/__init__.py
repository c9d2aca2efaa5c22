"""The control API under `/_sim/`: act as hotel staff, inject faults, read counters.

Plain JSON in and out. Staff actions take Mews field names where they set Mews fields, so
what a test sends is what it later reads back through the Connector API.

One module per concern: the `simulator` itself (info, reset, clock, counters, rate limit),
`fault_injection`, the push `channels` (WebSockets, webhooks), staff actions on
`reservations`, `billing`, `accounts` and `rooms`, change `bursts`, and the property's
`integrations` (connect a property or a portfolio, enable/disable..., new API key); `common`
holds what they share.
"""

from litestar import Router

from attendandt.mews_sim.control.accounts import (
    company_update,
    customer_add,
    customer_delete,
    customer_update,
)
from attendandt.mews_sim.control.billing import (
    bill_close,
    order_item_amount,
    order_item_cancel,
    order_item_list,
    order_item_rebate,
)
from attendandt.mews_sim.control.bursts import bulk_touch
from attendandt.mews_sim.control.channels import (
    webhooks,
    webhooks_config,
    webhooks_down,
    webhooks_fail,
    ws_drop,
    ws_info,
)
from attendandt.mews_sim.control.fault_injection import (
    fault_errors,
    fault_latency,
    fault_lost,
    faults,
    faults_clear,
)
from attendandt.mews_sim.control.integrations import (
    integration_action,
    integration_connect,
    integration_connect_portfolio,
    integration_list,
    integration_portfolio_join,
    integration_portfolio_leave,
)
from attendandt.mews_sim.control.reservations import (
    note_update,
    reservation_cancel,
    reservation_companion,
    reservation_create,
    reservation_list,
    reservation_note,
    reservation_payment,
    reservation_process,
    reservation_start,
    reservation_update,
)
from attendandt.mews_sim.control.rooms import resource_state
from attendandt.mews_sim.control.simulator import (
    clock_get,
    clock_set,
    counters,
    counters_reset,
    get_info,
    health,
    rate_limit,
    reset,
)

control_router = Router(
    path="/_sim",
    route_handlers=[
        health,
        get_info,
        reset,
        clock_get,
        clock_set,
        counters,
        counters_reset,
        rate_limit,
        faults,
        fault_errors,
        fault_latency,
        fault_lost,
        faults_clear,
        ws_info,
        ws_drop,
        webhooks,
        webhooks_config,
        webhooks_fail,
        webhooks_down,
        reservation_create,
        reservation_list,
        order_item_list,
        order_item_cancel,
        order_item_rebate,
        order_item_amount,
        reservation_update,
        reservation_cancel,
        reservation_start,
        reservation_process,
        reservation_payment,
        reservation_companion,
        reservation_note,
        note_update,
        customer_add,
        customer_update,
        customer_delete,
        company_update,
        resource_state,
        bill_close,
        bulk_touch,
        integration_list,
        integration_connect,
        integration_connect_portfolio,
        integration_portfolio_join,
        integration_portfolio_leave,
        integration_action,
    ],
)

__all__ = ["control_router"]
