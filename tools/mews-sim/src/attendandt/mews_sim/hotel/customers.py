"""Customers: added (or matched by email and overwritten) and updated, each change announced."""

from __future__ import annotations

from typing import Any

from attendandt.mews_sim import clock, shapes
from attendandt.mews_sim.errors import Forbidden
from attendandt.mews_sim.hotel.common import new_id, touch
from attendandt.mews_sim.store import Change, Entity, Store

# Basic personal fields: the ones customers/add with OverwriteExisting rewrites, and the plain
# (non-wrapped) fields customers/update takes.
CUSTOMER_FIELDS = (
    "Title",
    "FirstName",
    "LastName",
    "SecondLastName",
    "NationalityCode",
    "PreferredLanguageCode",
    "Sex",
    "BirthDate",
    "BirthCountryCode",
    "BirthCountrySubdivisionCode",
    "BirthPlace",
    "Occupation",
    "Email",
    "Phone",
    "LoyaltyCode",
    "Notes",
    "CarRegistrationNumber",
    "DietaryRequirements",
    "TaxIdentificationNumber",
)


def find_customer_by_email(store: Store, chain_id: str, email: str) -> Entity | None:
    wanted = email.strip().lower()
    for customer in store.customers.of([chain_id]):
        found = customer.get("Email")
        if found and found.lower() == wanted:
            return customer
    return None


def customer_changed(store: Store, customer: Entity, *, created: bool = False) -> None:
    chain_id = store.customers.owner[customer["Id"]]
    store.notify(Change("customer", store.enterprises_of_chain(chain_id), customer, created))


def add_customer(
    store: Store,
    chain_id: str,
    values: dict[str, Any],
    *,
    overwrite_existing: bool,
    creator: str = shapes.CONNECTOR_PROFILE_ID,
) -> Entity:
    email = values.get("Email")
    if email:
        existing = find_customer_by_email(store, chain_id, email)
        if existing is not None:
            if not overwrite_existing:
                raise Forbidden("A customer with the same email already exists.")
            for name in CUSTOMER_FIELDS:
                if values.get(name) is not None:
                    existing[name] = values[name]
            existing["UpdaterProfileId"] = creator
            touch(existing)
            customer_changed(store, existing)
            return existing
    now = clock.now_str()
    customer_id = new_id()
    address_params = values.get("Address")
    entity = shapes.customer(
        id=customer_id,
        chain_id=chain_id,
        number=str(store.next_number(f"customer:{chain_id}", 100000)),
        last_name=values["LastName"],
        created=now,
        creator=creator,
        address_entity=shapes.address(new_id(), address_params) if address_params else None,
        classifications=list(values.get("Classifications") or []),
        options=list(values.get("Options") or []),
        company_id=values.get("CompanyId"),
        italian=(
            values.get("ItalianDestinationCode"),
            values.get("ItalianFiscalCode"),
            values.get("ItalianLotteryCode"),
        ),
    )
    for name in CUSTOMER_FIELDS:
        if values.get(name) is not None:
            entity[name] = values[name]
    entity["LanguageCode"] = entity["PreferredLanguageCode"]
    store.customers.add(entity, chain_id)
    customer_changed(store, entity, created=True)
    return entity


def update_customer(
    store: Store,
    customer: Entity,
    values: dict[str, Any],
    *,
    updater: str = shapes.CONNECTOR_PROFILE_ID,
) -> Entity:
    chain_id = store.customers.owner[customer["Id"]]
    email = values.get("Email")
    if email:
        other = find_customer_by_email(store, chain_id, email)
        if other is not None and other["Id"] != customer["Id"]:
            raise Forbidden("Another customer with the same email already exists.")
    for name in CUSTOMER_FIELDS:
        # Blank values leave the field untouched: customers/update cannot clear fields.
        if values.get(name) not in (None, ""):
            customer[name] = values[name]
    for name in ("Classifications", "Options"):
        if values.get(name) is not None:
            customer[name] = list(values[name])
    if values.get("CompanyId"):
        customer["CompanyId"] = values["CompanyId"]
    if values.get("Address") is not None:
        address_id = customer["AddressId"] or new_id()
        customer["Address"] = shapes.address(address_id, values["Address"])
        customer["AddressId"] = address_id
    for name in ("ItalianDestinationCode", "ItalianFiscalCode", "ItalianLotteryCode"):
        if name in values:
            customer[name] = values[name]
    customer["UpdaterProfileId"] = updater
    touch(customer)
    customer_changed(store, customer)
    return customer
