"""The vendors use cases: plain Python over a unit of work (`unit_of_work`), no framework.

Each use case runs in one unit of work: its checks, its change, the events announcing it and
any command to Mews (outbox rows) commit together or not at all. Errors are the platform's
service errors (NotFound 404, Invalid 422, Conflict 409, Forbidden 403).

`VendorsService` composes them, one module a responsibility, under the names the RPC layer
(`rpc`), the consumers (`consumers`) and the composition root (`app`) call:
- `access`: who may see and do what, and the lookups by id for a caller;
- `validation`, `views`, `outgoing`: request values, answers, and events and Mews commands;
- `vendor_directory`, `offerings` (with the hotel's catalogue), `stays`;
- `bookings` (its transitions in one table), `charges`, `billing_controls`,
  `charge_cancellation`;
- `inbound`: commands and events from other services.
"""

from __future__ import annotations

from attendandt.vendors.billing_controls import BillingControls
from attendandt.vendors.bookings import Bookings
from attendandt.vendors.charge_cancellation import ChargeCancellations
from attendandt.vendors.charges import Charges
from attendandt.vendors.core import Clock, Core, Units, utc_now
from attendandt.vendors.inbound import (
    RECORD_CHARGE_CANCELLATION_CONSUMER,
    RECORD_CHARGE_RESULT_CONSUMER,
    STAY_EVENTS_CONSUMER,
    UPSERT_CATALOGUE_CONSUMER,
    UPSERT_VENDOR_CONSUMER,
    Inbound,
)
from attendandt.vendors.offerings import Offerings
from attendandt.vendors.stay_owner import StayOwner
from attendandt.vendors.stays import Stays
from attendandt.vendors.vendor_directory import VendorDirectory

__all__ = [
    "RECORD_CHARGE_CANCELLATION_CONSUMER",
    "RECORD_CHARGE_RESULT_CONSUMER",
    "SERVICE",
    "STAY_EVENTS_CONSUMER",
    "UPSERT_CATALOGUE_CONSUMER",
    "UPSERT_VENDOR_CONSUMER",
    "Clock",
    "VendorsService",
    "utc_now",
]

SERVICE = "vendors"


class VendorsService:
    def __init__(
        self, units: Units, *, clock: Clock = utc_now, stay_owner: StayOwner | None = None
    ) -> None:
        self.core = Core(units, clock)
        self.units = units
        self.clock = clock
        stays = Stays(self.core, stay_owner)
        self.vendors = VendorDirectory(self.core)
        self.offerings = Offerings(self.core)
        self.charges = Charges(self.core, stays)
        self.bookings = Bookings(self.core, stays, self.charges)
        self.billing = BillingControls(self.core)
        self.cancellations = ChargeCancellations(self.core)
        self.inbound = Inbound(self.core, self.cancellations)

        self.create_vendor = self.vendors.create_vendor
        self.update_vendor = self.vendors.update_vendor
        self.deactivate_vendor = self.vendors.deactivate_vendor
        self.get_vendor = self.vendors.get_vendor
        self.list_vendors = self.vendors.list_vendors

        self.create_offering = self.offerings.create_offering
        self.update_offering = self.offerings.update_offering
        self.deactivate_offering = self.offerings.deactivate_offering
        self.get_offering = self.offerings.get_offering
        self.list_offerings = self.offerings.list_offerings
        self.get_catalogue = self.offerings.get_catalogue

        self.create_booking = self.bookings.create_booking
        self.confirm_booking = self.bookings.confirm_booking
        self.decline_booking = self.bookings.decline_booking
        self.cancel_booking = self.bookings.cancel_booking
        self.fulfil_booking = self.bookings.fulfil_booking
        self.get_booking = self.bookings.get_booking
        self.list_bookings = self.bookings.list_bookings
        self.expire_overdue = self.bookings.expire_overdue

        self.create_charge = self.charges.create_charge
        self.get_charge = self.charges.get_charge
        self.retry_charge = self.charges.retry_charge
        self.list_charges = self.charges.list_charges
        self.settlement = self.charges.settlement
        self.cancel_charge = self.cancellations.cancel_charge

        self.approve_charge = self.billing.approve_charge
        self.reject_charge = self.billing.reject_charge
        self.get_billing_settings = self.billing.get_billing_settings
        self.update_billing_settings = self.billing.update_billing_settings

        self.record_charge_result = self.inbound.record_charge_result
        self.record_charge_cancellation = self.inbound.record_charge_cancellation
        self.upsert_vendor = self.inbound.upsert_vendor
        self.upsert_catalogue = self.inbound.upsert_catalogue
        self.apply_stay_event = self.inbound.apply_stay_event
