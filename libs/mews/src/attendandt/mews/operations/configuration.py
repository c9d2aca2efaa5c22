"""The enterprise's setup: configuration, enterprises, rooms and their categories, services
and products."""

from __future__ import annotations

from ..models.enterprises import (
    Configuration,
    ConfigurationGet,
    Enterprise,
    EnterprisesGetAll,
    EnterprisesPage,
)
from ..models.resource_categories import (
    ResourceCategoriesGetAll,
    ResourceCategoriesPage,
    ResourceCategory,
    ResourceCategoryAssignment,
    ResourceCategoryAssignmentsGetAll,
    ResourceCategoryAssignmentsPage,
)
from ..models.resources import Resource, ResourcesGetAll, ResourcesPage
from ..models.services import (
    Product,
    ProductsGetAll,
    ProductsPage,
    Service,
    ServicesGetAll,
    ServicesPage,
)
from ..paging import Paged
from .paged_read import _K, PagedClient, PagedOperation

ENTERPRISES_GET_ALL: PagedOperation[EnterprisesGetAll, EnterprisesPage, Enterprise] = (
    PagedOperation(
        "enterprises/getAll",
        EnterprisesPage,
        lambda page: page.enterprises,
        {"enterprise_ids": _K, "external_identifiers": _K},
        ("linked_utc", "updated_utc"),
    )
)
RESOURCES_GET_ALL: PagedOperation[ResourcesGetAll, ResourcesPage, Resource] = PagedOperation(
    "resources/getAll",
    ResourcesPage,
    lambda page: page.resources,
    {"enterprise_ids": _K, "resource_ids": _K, "names": _K},
    ("created_utc", "updated_utc"),
)
RESOURCE_CATEGORIES_GET_ALL: PagedOperation[
    ResourceCategoriesGetAll, ResourceCategoriesPage, ResourceCategory
] = PagedOperation(
    "resourceCategories/getAll",
    ResourceCategoriesPage,
    lambda page: page.resource_categories,
    {"enterprise_ids": _K, "resource_category_ids": _K, "service_ids": _K},
    ("updated_utc",),
)
# Its UpdatedUtc has no documented maximum length: not windowed.
RESOURCE_CATEGORY_ASSIGNMENTS_GET_ALL: PagedOperation[
    ResourceCategoryAssignmentsGetAll, ResourceCategoryAssignmentsPage, ResourceCategoryAssignment
] = PagedOperation(
    "resourceCategoryAssignments/getAll",
    ResourceCategoryAssignmentsPage,
    lambda page: page.resource_category_assignments,
    {
        "enterprise_ids": _K,
        "resource_category_assignment_ids": _K,
        "resource_category_ids": _K,
        "resource_ids": _K,
    },
)
SERVICES_GET_ALL: PagedOperation[ServicesGetAll, ServicesPage, Service] = PagedOperation(
    "services/getAll",
    ServicesPage,
    lambda page: page.services,
    {"enterprise_ids": _K, "service_ids": _K},
    ("updated_utc",),
)
PRODUCTS_GET_ALL: PagedOperation[ProductsGetAll, ProductsPage, Product] = PagedOperation(
    "products/getAll",
    ProductsPage,
    lambda page: page.products,
    {"service_ids": _K, "product_ids": _K, "enterprise_ids": _K},
    ("updated_utc",),
)


class ConfigurationOperations(PagedClient):
    """Reads of the enterprise's setup."""

    async def get_configuration(self, request: ConfigurationGet | None = None) -> Configuration:
        """``configuration/get``: the enterprise, its time zone and pricing, and ``NowUtc``."""
        return await self.call("configuration/get", request, Configuration)

    def get_enterprises(
        self, request: EnterprisesGetAll | None = None, *, page_size: int | None = None
    ) -> Paged[Enterprise]:
        """``enterprises/getAll`` (portfolio tokens see several)."""
        return self.paged(ENTERPRISES_GET_ALL, request or EnterprisesGetAll(), page_size=page_size)

    def get_resources(
        self, request: ResourcesGetAll | None = None, *, page_size: int | None = None
    ) -> Paged[Resource]:
        """``resources/getAll``."""
        return self.paged(RESOURCES_GET_ALL, request or ResourcesGetAll(), page_size=page_size)

    def get_resource_categories(
        self, request: ResourceCategoriesGetAll, *, page_size: int | None = None
    ) -> Paged[ResourceCategory]:
        """``resourceCategories/getAll``: the room types of services (``ServiceIds``
        required; id lists split per 1000)."""
        return self.paged(RESOURCE_CATEGORIES_GET_ALL, request, page_size=page_size)

    def get_resource_category_assignments(
        self, request: ResourceCategoryAssignmentsGetAll, *, page_size: int | None = None
    ) -> Paged[ResourceCategoryAssignment]:
        """``resourceCategoryAssignments/getAll``: which rooms are in which categories
        (``ResourceCategoryIds`` required; ``ResourceIds`` narrows; id lists split per 1000)."""
        return self.paged(RESOURCE_CATEGORY_ASSIGNMENTS_GET_ALL, request, page_size=page_size)

    def get_services(
        self, request: ServicesGetAll | None = None, *, page_size: int | None = None
    ) -> Paged[Service]:
        """``services/getAll``."""
        return self.paged(SERVICES_GET_ALL, request or ServicesGetAll(), page_size=page_size)

    def get_products(
        self, request: ProductsGetAll, *, page_size: int | None = None
    ) -> Paged[Product]:
        """``products/getAll`` (``Products`` only; ``CustomerProducts`` is not iterated)."""
        return self.paged(PRODUCTS_GET_ALL, request, page_size=page_size)
