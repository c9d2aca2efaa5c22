"""Who may see and do what in the vendors service (the caller comes from the request's
header, see contracts.caller):

- every read and write is limited to the caller's properties (`enterprise_ids`; None for
  portfolio-wide callers): an object of another property is NotFound, a list holds only the
  caller's properties, and a list or a new vendor naming another property is NotFound;
- staff (admin, manager, front desk) act on every vendor of their properties; a vendor user
  only on its own vendor. Another vendor's object looked up by id (a vendor, offering,
  booking or charge, or the vendor of a settlement or offering list) is NotFound (its
  existence is not revealed); a list filter naming another vendor is Forbidden;
- creating, changing and deactivating vendors, and retrying a failed charge, are for admins
  and managers; offerings (and reading the hotel's catalogue they post to) for admins,
  managers and the vendor itself; cancelling a charge (undoing it on the guest's bill, see
  `cancellation`) for those the gateway grants `charges:cancel` (admins and managers).

The lookups below are the only way a use case reaches an object by id for a caller.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from attendandt.contracts.caller import Caller
from attendandt.contracts.snapshots import UserRole
from attendandt.platform.rpc import Forbidden, NotFound
from attendandt.vendors.records import BookingRecord, ChargeRecord, OfferingRecord, VendorRecord
from attendandt.vendors.unit_of_work import UnitOfWork

MANAGERS = frozenset({UserRole.ADMIN, UserRole.MANAGER})


class _Owned(Protocol):
    @property
    def enterprise_id(self) -> str: ...

    @property
    def vendor_id(self) -> str: ...


R = TypeVar("R", bound=_Owned)


def own_vendor(caller: Caller) -> str | None:
    """The one vendor a vendor user may touch; None for staff (every vendor)."""
    if not caller.is_vendor:
        return None
    if not caller.vendor_id:
        raise Forbidden("a vendor user without a vendor cannot act on anything")
    return caller.vendor_id


def require(caller: Caller, roles: frozenset[UserRole], what: str) -> None:
    if caller.role not in roles:
        raise Forbidden(f"{caller.role.value} may not {what}")


def visible(caller: Caller, enterprise_id: str, vendor_id: str, what: str, object_id: str) -> None:
    """An object of another property, or of another vendor for a vendor user, is reported as
    absent: the answer must not tell whether it exists."""
    own = own_vendor(caller)
    if not caller.may_act_for(enterprise_id) or (own is not None and own != vendor_id):
        raise NotFound(f"{what} {object_id} not found")


def enterprises(caller: Caller, requested: str | None) -> tuple[str, ...] | None:
    """The properties a list may show: the caller's (None: every property), or the one asked
    for. Naming a property the caller does not act for is "not found", whether it exists or
    not."""
    if requested is not None and not caller.may_act_for(requested):
        raise NotFound(f"enterprise {requested} not found")
    return caller.visible_enterprises(requested)


def scope_filter(caller: Caller, vendor_id: str | None) -> str | None:
    """The vendor filter a list may use: a vendor user's own, never another's."""
    own = own_vendor(caller)
    if own is None:
        return vendor_id
    if vendor_id is not None and vendor_id != own:
        raise Forbidden("a vendor user may only see its own vendor")
    return own


def may_manage_offerings(caller: Caller) -> None:
    """Staff by role; a vendor user manages its own vendor's (the lookups see to that)."""
    if own_vendor(caller) is None:
        require(caller, MANAGERS, "manage offerings")


def _shown(found: R | None, caller: Caller, what: str, object_id: str) -> R:
    if found is None:
        raise NotFound(f"{what} {object_id} not found")
    visible(caller, found.enterprise_id, found.vendor_id, what, object_id)
    return found


async def vendor(
    uow: UnitOfWork, caller: Caller, vendor_id: str, *, lock: bool = False
) -> VendorRecord:
    found = await uow.vendors.get_vendor(vendor_id, lock=lock, enterprise_ids=caller.enterprise_ids)
    if found is None:
        raise NotFound(f"vendor {vendor_id} not found")
    visible(caller, found.enterprise_id, found.id, "vendor", vendor_id)
    return found


async def offering(
    uow: UnitOfWork, caller: Caller, offering_id: str, *, lock: bool = False
) -> OfferingRecord:
    found = await uow.vendors.get_offering(
        offering_id, lock=lock, enterprise_ids=caller.enterprise_ids
    )
    return _shown(found, caller, "offering", offering_id)


async def booking(
    uow: UnitOfWork, caller: Caller, booking_id: str, *, lock: bool = False
) -> BookingRecord:
    found = await uow.bookings.get_booking(
        booking_id, lock=lock, enterprise_ids=caller.enterprise_ids
    )
    return _shown(found, caller, "booking", booking_id)


async def charge(
    uow: UnitOfWork, caller: Caller, charge_id: str, *, lock: bool = False
) -> ChargeRecord:
    found = await uow.charges.get_charge(charge_id, lock=lock, enterprise_ids=caller.enterprise_ids)
    return _shown(found, caller, "charge", charge_id)
