"""What each hotel sells: accounting categories, services, products, age categories, rates."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from attendandt.mews_sim import money, shapes
from attendandt.mews_sim.seed.context import HotelSeed
from attendandt.mews_sim.seed.specs import EnterpriseSpec

# (service, name, short name, accounting category, price, charging, food, beverage, wellness)
PRODUCT_ROWS = (
    (
        "Accommodation",
        "Breakfast",
        "BFST",
        "Food",
        "18.00",
        "PerPersonPerTimeUnit",
        True,
        False,
        False,
    ),
    (
        "Accommodation",
        "Extra bed",
        "XBED",
        "Accommodation",
        "25.00",
        "PerTimeUnit",
        False,
        False,
        False,
    ),
    ("Restaurant", "Dinner menu", "DINR", "Food", "45.00", "Once", True, False, False),
    ("Restaurant", "Glass of wine", "WINE", "Beverage", "8.50", "Once", False, True, False),
    ("Restaurant", "Beer", "BEER", "Beverage", "6.00", "Once", False, True, False),
    ("Restaurant", "Room service", "RMSV", "Food", "12.00", "Once", True, False, False),
    ("Spa", "Massage 60 min", "MSG", "Spa", "80.00", "Once", False, False, True),
    ("Spa", "Sauna access", "SAUN", "Spa", "20.00", "Once", False, False, True),
    ("Spa", "Hot stone massage 90 min", "HSTN", "Spa", "120.00", "Once", False, False, True),
    ("Spa", "Facial treatment", "FACE", "Spa", "65.00", "Once", False, False, True),
    (
        "Parking",
        "Parking per day",
        "PARK",
        "Parking",
        "30.00",
        "PerTimeUnit",
        False,
        False,
        False,
    ),
)


@dataclass(frozen=True)
class Catalogue:
    """What the stays and charges of the hotel are booked against."""

    service_ids: dict[str, str]
    products_by_service: dict[str, list[dict[str, Any]]]
    rate_ids: list[str]

    @property
    def accommodation(self) -> str:
        return self.service_ids["Accommodation"]


def add_catalogue(hotel: HotelSeed) -> Catalogue:
    categories = add_accounting_categories(hotel)
    service_ids = add_services(hotel)
    products_by_service = add_products(hotel, service_ids, categories)
    add_age_categories(hotel)
    rate_ids = add_rates(hotel, service_ids["Accommodation"])
    return Catalogue(service_ids, products_by_service, rate_ids)


def _price(spec: EnterpriseSpec, value: str, tax_code: str | None = None) -> dict[str, Any]:
    code = tax_code or spec.tax_code
    if spec.pricing == "Gross":
        return money.amount(spec.currency, code, gross=Decimal(value))
    return money.amount(spec.currency, code, net=Decimal(value))


def add_accounting_categories(hotel: HotelSeed) -> dict[str, str]:
    store, new_id, ent, setup_time = hotel.store, hotel.new_id, hotel.ent, hotel.setup_time
    categories: dict[str, str] = {}
    for name, code, classification in (
        ("Accommodation", "ACC", "Accommodation"),
        ("Food", "FOOD", "FoodAndBeverage"),
        ("Beverage", "BEV", "FoodAndBeverage"),
        ("Spa", "SPA", "Wellness"),
        ("Parking", "PARK", "Other"),
        ("Other", "OTH", "Other"),
    ):
        acc_id = new_id()
        categories[name] = acc_id
        store.accounting_categories.add(
            shapes.accounting_category(
                id=acc_id,
                enterprise_id=ent,
                name=name,
                code=code,
                classification=classification,
                created=setup_time,
            ),
            ent,
        )
    return categories


def add_services(hotel: HotelSeed) -> dict[str, str]:
    store, new_id, ent, setup_time = hotel.store, hotel.new_id, hotel.ent, hotel.setup_time
    is_gross = hotel.is_gross
    service_ids: dict[str, str] = {}
    for ordering, (name, bookable, fixed_id) in enumerate(
        (
            ("Accommodation", True, "bd26d8db-86da-4f96-9efc-e5a4654a4a94"),
            ("Restaurant", False, "fc79a518-bc69-45b8-93bd-83326201bd14"),
            ("Spa", False, None),
            ("Parking", False, None),
        )
    ):
        service_id = fixed_id if (is_gross and fixed_id) else new_id()
        service_ids[name] = service_id
        store.services.add(
            shapes.service(
                id=service_id,
                enterprise_id=ent,
                name=name,
                bookable=bookable,
                ordering=ordering,
                created=setup_time,
                # Within the documentation example's UpdatedUtc window for services/getAll.
                updated="2020-01-07T10:00:00Z" if is_gross else setup_time,
                external_identifier=f"SVC-{name.upper()}",
            ),
            ent,
        )
    return service_ids


def add_products(
    hotel: HotelSeed, service_ids: dict[str, str], categories: dict[str, str]
) -> dict[str, list[dict[str, Any]]]:
    store, new_id, ent, setup_time = hotel.store, hotel.new_id, hotel.ent, hotel.setup_time
    spec = hotel.spec
    products_by_service: dict[str, list[dict[str, Any]]] = {}
    for ordering, (svc, name, short, acc, price, charging, food, bev, well) in enumerate(
        PRODUCT_ROWS
    ):
        entity = shapes.product(
            id=new_id(),
            service_id=service_ids[svc],
            name=name,
            short_name=short,
            accounting_category_id=categories[acc],
            price=_price(spec, price),
            created=setup_time,
            charging=charging,
            food=food,
            beverage=bev,
            wellness=well,
            external_identifier=f"PROD-{short}",
            ordering=ordering,
        )
        store.products.add(entity, ent)
        products_by_service.setdefault(svc, []).append(entity)

    return products_by_service


def add_age_categories(hotel: HotelSeed) -> None:
    """Adults and children, the two age categories of every stay's person counts."""
    hotel.store.age_categories[hotel.ent] = [hotel.new_id(), hotel.new_id()]


def add_rates(hotel: HotelSeed, accommodation: str) -> list[str]:
    store, new_id, ent, setup_time = hotel.store, hotel.new_id, hotel.ent, hotel.setup_time
    group_id = new_id()
    store.rate_groups.add(
        shapes.rate_group(id=group_id, service_id=accommodation, name="Default"), ent
    )
    rate_ids = []
    for k, (name, short) in enumerate(
        (("Fully Flexible", "FF"), ("Non Refundable", "NR"), ("Corporate", "CORP"))
    ):
        rate_id = new_id()
        rate_ids.append(rate_id)
        store.rates.add(
            shapes.rate(
                id=rate_id,
                service_id=accommodation,
                group_id=group_id,
                name=name,
                short_name=short,
                updated=setup_time,
                is_default=k == 0,
                external_identifier=f"RATE-{short}",
            ),
            ent,
        )
    return rate_ids
