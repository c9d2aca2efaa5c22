"""What happens in the hotel: the writes behind both the Connector API and the staff controls.

Every change goes through here so `UpdatedUtc` always moves and every change is announced to
the WebSocket and webhook channels exactly once. One module per kind of entity changed:
`customers`, `reservations` (and companions), `rooms`, `notes`, `bills` (and payments) and
`orders` (and their items); `common` holds what they share. The data itself lives in
`store.Store`.
"""

from attendandt.mews_sim.hotel.bills import (
    DESK_PAYMENT_TYPES,
    add_bill,
    add_payment,
    close_bill,
    open_bill_for,
)
from attendandt.mews_sim.hotel.common import (
    local_date,
    new_id,
    touch,
)
from attendandt.mews_sim.hotel.customers import (
    CUSTOMER_FIELDS,
    add_customer,
    customer_changed,
    find_customer_by_email,
    update_customer,
)
from attendandt.mews_sim.hotel.notes import (
    add_note,
    service_order,
    update_note,
)
from attendandt.mews_sim.hotel.orders import (
    CANCELLABLE_ITEMS,
    REBATE_TYPES,
    ItemLine,
    ProductLine,
    add_order,
    cancel_order_items,
    change_order_item_amount,
    rebate_order_item,
)
from attendandt.mews_sim.hotel.reservations import (
    CANCELLABLE,
    NewReservation,
    add_companion,
    add_reservation,
    bookable_service,
    cancel_reservation,
    process_reservation,
    reservation_changed,
    start_reservation,
    update_reservation,
)
from attendandt.mews_sim.hotel.rooms import (
    RESOURCE_STATES,
    free_room,
    is_free,
    resource_changed,
    set_resource_state,
)

__all__ = [
    "CANCELLABLE",
    "CANCELLABLE_ITEMS",
    "CUSTOMER_FIELDS",
    "DESK_PAYMENT_TYPES",
    "REBATE_TYPES",
    "RESOURCE_STATES",
    "ItemLine",
    "NewReservation",
    "ProductLine",
    "add_bill",
    "add_companion",
    "add_customer",
    "add_note",
    "add_order",
    "add_payment",
    "add_reservation",
    "bookable_service",
    "cancel_order_items",
    "cancel_reservation",
    "change_order_item_amount",
    "close_bill",
    "customer_changed",
    "find_customer_by_email",
    "free_room",
    "is_free",
    "local_date",
    "new_id",
    "open_bill_for",
    "process_reservation",
    "rebate_order_item",
    "reservation_changed",
    "resource_changed",
    "service_order",
    "set_resource_state",
    "start_reservation",
    "touch",
    "update_customer",
    "update_note",
    "update_reservation",
]
