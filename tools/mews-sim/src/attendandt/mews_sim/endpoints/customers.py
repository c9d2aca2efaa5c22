"""customers/getAll, customers/add, customers/update, customers/search."""

from __future__ import annotations

from datetime import date
from typing import Any

from attendandt.mews_sim import hotel
from attendandt.mews_sim.endpoints.common import ACTIVITY_STATES, Ctx, activity_ok, interval_ok
from attendandt.mews_sim.endpoints.legacy import legacy_reservation
from attendandt.mews_sim.errors import invalid
from attendandt.mews_sim.params import Params, require_any
from attendandt.mews_sim.store import Entity, Store

TITLES = frozenset({"Mister", "Miss", "Misses"})
SEXES = frozenset({"Male", "Female"})
CLASSIFICATIONS = frozenset(
    [
        "PaymasterAccount",
        "Blacklist",
        "Media",
        "LoyaltyProgram",
        "PreviousComplaint",
        "Returning",
        "Staff",
        "FriendOrFamily",
        "TopManagement",
        "Important",
        "VeryImportant",
        "Problematic",
        "Cashlist",
        "DisabledPerson",
        "Military",
        "Airline",
        "HealthCompliant",
        "InRoom",
        "WaitingForRoom",
        "Student",
        "Blocklist",
    ]
)
OPTIONS = frozenset(
    [
        "None",
        "SendMarketingEmails",
        "Invoiceable",
        "BillAddressObjection",
        "SendMarketingPostalMail",
        "SendPartnerMarketingEmails",
        "SendPartnerMarketingPostalMail",
        "WithdrawCardConsent",
        "GuestPhotoConsent",
        "IdPhotosConsent",
    ]
)
ADDRESS_FIELDS = ("Line1", "Line2", "City", "PostalCode", "CountryCode", "CountrySubdivisionCode")
ITALIAN = (
    ("ItalianDestinationCode", None),
    ("ItalianFiscalCode", None),
    ("ItalianLotteryCode", 15),
)


def customers_get_all(ctx: Ctx, p: Params) -> dict[str, Any]:
    owners = ctx.chains(p, required=True)
    created = p.interval("CreatedUtc")
    updated = p.interval("UpdatedUtc")
    deleted = p.interval("DeletedUtc")
    extent = p.req_obj("Extent")
    want_customers = extent.opt_bool("Customers") or False
    extent.opt_bool("Addresses")
    extent.opt_bool("Documents")
    states = p.opt_enums("ActivityStates", ACTIVITY_STATES)
    ids = p.opt_ids("CustomerIds")
    companies = p.opt_ids("CompanyIds", max_items=1)
    emails = p.opt_strs("Emails")
    first_names = p.opt_strs("FirstNames")
    last_names = p.opt_strs("LastNames")
    loyalty = p.opt_strs("LoyaltyCodes")
    limitation = p.limitation()
    require_any(
        p,
        (
            "CustomerIds",
            "Emails",
            "FirstNames",
            "LastNames",
            "LoyaltyCodes",
            "CompanyIds",
            "CreatedUtc",
            "UpdatedUtc",
            "DeletedUtc",
        ),
        "CustomerIds",
    )
    email_set = {e.lower() for e in emails} if emails is not None else None

    def match(c: Entity) -> bool:
        return (
            interval_ok(created, c["CreatedUtc"])
            and interval_ok(updated, c["UpdatedUtc"])
            and (deleted is None or (not c["IsActive"] and deleted.contains(c["UpdatedUtc"])))
            and activity_ok(states, c)
            and (companies is None or c["CompanyId"] in companies)
            and (email_set is None or (c["Email"] or "").lower() in email_set)
            and (first_names is None or c["FirstName"] in first_names)
            and (last_names is None or c["LastName"] in last_names)
            and (loyalty is None or c["LoyaltyCode"] in loyalty)
        )

    items, cursor = ctx.store.customers.page(owners, limitation, match, ids)
    return {"Customers": items if want_customers else [], "Documents": None, "Cursor": cursor}


def read_customer_values(store: Store, chain_id: str, p: Params, *, update: bool) -> dict[str, Any]:
    """The customer fields of an add/update request, validated."""
    values: dict[str, Any] = {}
    for name in hotel.CUSTOMER_FIELDS:
        max_len = 255 if name in ("CarRegistrationNumber", "DietaryRequirements") else 2000
        values[name] = p.opt_str(name, max_len=max_len)
    if not update:
        values["LastName"] = p.req_str("LastName", max_len=2000)
    if values["Title"] is not None and values["Title"] not in TITLES:
        raise invalid("Title")
    if values["Sex"] is not None and values["Sex"] not in SEXES:
        raise invalid("Sex")
    if values["BirthDate"]:
        try:
            date.fromisoformat(values["BirthDate"][:10])
        except ValueError:
            raise invalid("BirthDate", "Expected an ISO 8601 date.") from None
        values["BirthDate"] = values["BirthDate"][:10]
    values["Classifications"] = p.opt_enums("Classifications", CLASSIFICATIONS)
    values["Options"] = p.opt_enums("Options", OPTIONS)
    company_id = p.opt_id("CompanyId")
    if company_id is not None and store.companies.get(company_id, [chain_id]) is None:
        raise invalid("CompanyId", "The company does not exist.")
    values["CompanyId"] = company_id
    address = p.opt_obj("Address")
    if address is not None:
        values["Address"] = {f: address.opt_str(f, max_len=500) for f in ADDRESS_FIELDS}
    for name, italian_max in ITALIAN:
        if update:
            wrapper = p.opt_obj(name)
            if wrapper is not None:
                values[name] = wrapper.opt_str("Value", max_len=italian_max)
        else:
            values[name] = p.opt_str(name, max_len=italian_max)
    return values


def customers_add(ctx: Ctx, p: Params) -> dict[str, Any]:
    overwrite = p.req_bool("OverwriteExisting")
    chain = ctx.chain(p)
    values = read_customer_values(ctx.store, chain, p, update=False)
    return hotel.add_customer(ctx.store, chain, values, overwrite_existing=overwrite)


def customers_update(ctx: Ctx, p: Params) -> dict[str, Any]:
    customer_id = p.req_id("CustomerId")
    chain = ctx.chain(p)
    customer = ctx.store.customers.get(customer_id, [chain])
    if customer is None:
        raise invalid("CustomerId", "The customer does not exist.")
    values = read_customer_values(ctx.store, chain, p, update=True)
    return hotel.update_customer(ctx.store, customer, values)


def customers_search(ctx: Ctx, p: Params) -> dict[str, Any]:
    """Guests in house: for a portfolio token, in its properties of the `ChainId` it names."""
    chain = ctx.chain(p)
    store = ctx.store
    hotels = [e for e in ctx.token.enterprise_ids if store.info[e].chain_id == chain]
    name = p.opt_str("Name", max_len=500)
    resource_id = p.opt_id("ResourceId")
    extent = p.opt_obj("Extent")
    if extent is not None:
        extent.opt_bool("Customers")
    needle = name.strip().lower() if name else None
    results = []
    seen: set[str] = set()
    for reservation in store.reservations.of(hotels):
        if reservation["State"] != "Started":
            continue
        if resource_id is not None and reservation["AssignedResourceId"] != resource_id:
            continue
        # Everyone in house is found: the owner and the companions on the stay.
        companions = store.companions(reservation["Id"])
        for customer_id in (reservation["AccountId"], *(c["CustomerId"] for c in companions)):
            customer = store.customers.get(customer_id)
            if customer is None or customer["Id"] in seen:
                continue
            if needle:
                first = (customer["FirstName"] or "").lower()
                last = (customer["LastName"] or "").lower()
                if needle not in f"{first} {last}":
                    continue
            seen.add(customer["Id"])
            results.append(
                {"Customer": customer, "Reservation": legacy_reservation(reservation, companions)}
            )
    return {"Customers": results, "Documents": None}
