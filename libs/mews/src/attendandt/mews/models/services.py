"""``services/getAll`` and ``products/getAll``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from .common import Amount, Coproduct, MewsModel, MewsRequest, TimeInterval


class ServiceType:
    BOOKABLE: Final = "Bookable"
    ADDITIONAL: Final = "Additional"


class ServiceOptions(MewsModel):
    bill_as_package: bool | None = None


class Service(MewsModel):
    """``Data`` is ``Bookable`` (stays) or ``Additional`` (F&B, spa, vendor services...)."""

    id: str
    enterprise_id: str | None = None
    is_active: bool | None = None
    names: dict[str, str] | None = None
    short_names: dict[str, str] | None = None
    descriptions: dict[str, str] | None = None
    options: ServiceOptions | None = None
    ordering: int | None = None
    data: Coproduct | None = None
    external_identifier: str | None = None
    created_utc: datetime | None = None
    updated_utc: datetime | None = None
    # Deprecated by Mews, still emitted.
    name: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    promotions: dict[str, Any] | None = None
    type: str | None = None


class ServicesGetAll(MewsRequest):
    enterprise_ids: list[str] | None = None
    service_ids: list[str] | None = None
    service_type: str | None = None
    updated_utc: TimeInterval | None = None


class ServicesPage(MewsModel):
    services: list[Service] | None = None
    cursor: str | None = None


class ProductChargingMode:
    ONCE: Final = "Once"
    PER_TIME_UNIT: Final = "PerTimeUnit"
    PER_PERSON_PER_TIME_UNIT: Final = "PerPersonPerTimeUnit"
    PER_PERSON: Final = "PerPerson"


class ProductPostingMode:
    ONCE: Final = "Once"
    PER_TIME_UNIT: Final = "PerTimeUnit"


class ProductOptions(MewsModel):
    bill_as_package: bool | None = None
    exclude_price_from_offer: bool | None = None


class Product(MewsModel):
    id: str
    service_id: str | None = None
    category_id: str | None = None
    accounting_category_id: str | None = None
    is_active: bool | None = None
    names: dict[str, str] | None = None
    external_names: dict[str, str] | None = None
    short_names: dict[str, str] | None = None
    descriptions: dict[str, str] | None = None
    charging_mode: str | None = None
    posting_mode: str | None = None
    options: ProductOptions | None = None
    promotions: dict[str, bool] | None = None
    classifications: dict[str, bool] | None = None
    price: Amount | None = None
    image_ids: list[str] | None = None
    ordering: int | None = None
    external_identifier: str | None = None
    consumption_moment: str | None = None
    created_utc: datetime | None = None
    updated_utc: datetime | None = None


class ProductsGetAll(MewsRequest):
    """Filters of ``products/getAll``; ``ServiceIds`` is required."""

    service_ids: list[str]
    product_ids: list[str] | None = None
    enterprise_ids: list[str] | None = None
    updated_utc: TimeInterval | None = None
    include_default: bool | None = None


class ProductsPage(MewsModel):
    products: list[Product] | None = None
    customer_products: list[Product] | None = None
    cursor: str | None = None


__all__ = [
    "Product",
    "ProductChargingMode",
    "ProductOptions",
    "ProductPostingMode",
    "ProductsGetAll",
    "ProductsPage",
    "Service",
    "ServiceOptions",
    "ServiceType",
    "ServicesGetAll",
    "ServicesPage",
]
