"""Request-reply for the gateway on `rpc.v1.vendors.<method>` (core NATS, queue group
`vendors`, so replicas share the calls). Decoding, the caller from its header (none: 401) and
error statuses: `platform.rpc.answer_for_caller`; `posted_charges`, which sync calls for
reconciliation on no user's behalf, is answered without a caller (`platform.rpc.answer`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from attendandt.contracts.base import RpcMethod
from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc import vendors as methods
from attendandt.platform.runtime import Runtime
from attendandt.vendors.companies import MewsCompanies
from attendandt.vendors.reconciliation import ChargesInMews
from attendandt.vendors.service import VendorsService

#: Every method is called for a caller (the gateway's `Attendandt-Caller` header).
Handler = Callable[[Any, Caller], Awaitable[Any]]


def handlers(
    service: VendorsService, companies: MewsCompanies
) -> list[tuple[RpcMethod[Any, Any], Handler]]:
    return [
        (methods.LIST_MEWS_COMPANIES, companies.list_mews_companies),
        (methods.CREATE_VENDOR, service.create_vendor),
        (methods.UPDATE_VENDOR, service.update_vendor),
        (methods.DEACTIVATE_VENDOR, service.deactivate_vendor),
        (methods.GET_VENDOR, service.get_vendor),
        (methods.LIST_VENDORS, service.list_vendors),
        (methods.CREATE_OFFERING, service.create_offering),
        (methods.UPDATE_OFFERING, service.update_offering),
        (methods.DEACTIVATE_OFFERING, service.deactivate_offering),
        (methods.GET_OFFERING, service.get_offering),
        (methods.LIST_OFFERINGS, service.list_offerings),
        (methods.GET_CATALOGUE, service.get_catalogue),
        (methods.CREATE_BOOKING, service.create_booking),
        (methods.CONFIRM_BOOKING, service.confirm_booking),
        (methods.DECLINE_BOOKING, service.decline_booking),
        (methods.FULFIL_BOOKING, service.fulfil_booking),
        (methods.CANCEL_BOOKING, service.cancel_booking),
        (methods.GET_BOOKING, service.get_booking),
        (methods.LIST_BOOKINGS, service.list_bookings),
        (methods.CREATE_CHARGE, service.create_charge),
        (methods.GET_CHARGE, service.get_charge),
        (methods.RETRY_CHARGE, service.retry_charge),
        (methods.LIST_CHARGES, service.list_charges),
        (methods.SETTLEMENT, service.settlement),
        (methods.APPROVE_CHARGE, service.approve_charge),
        (methods.REJECT_CHARGE, service.reject_charge),
        (methods.CANCEL_CHARGE, service.cancel_charge),
        (methods.GET_BILLING_SETTINGS, service.get_billing_settings),
        (methods.UPDATE_BILLING_SETTINGS, service.update_billing_settings),
    ]


def register_rpc(
    runtime: Runtime,
    service: VendorsService,
    companies: MewsCompanies,
    charges: ChargesInMews,
) -> None:
    served = handlers(service, companies)
    answered = {m.subject for m, _ in served} | {methods.POSTED_CHARGES.subject}
    missing = {m.subject for m in methods.METHODS} - answered
    if missing:
        raise RuntimeError(f"vendors rpc methods without a handler: {sorted(missing)}")
    for method, handler in served:
        runtime.answer(method, handler)
    # Sync calls it on no user's behalf: no caller header (NATS permissions say who may
    # publish on its subject: sync and the ops command).
    runtime.answer(methods.POSTED_CHARGES, charges.posted_charges, for_caller=False)
