"""Typed async client for the Mews Connector API.

```python
from attendandt.mews import DemoTokens, LocalTokenBucket, MewsClient
from .models import CustomersGetAll

async with MewsClient(DemoTokens.GROSS_1, environment="demo", limiter=LocalTokenBucket()) as mews:
    config = await mews.get_configuration()
    async for customer in mews.get_customers(CustomersGetAll(customer_ids=ids)):
        ...
```
"""

from .binding import (
    MewsSettings,
    MewsSettingsError,
    bind_enterprises,
    clients_of_token,
    enterprise_of,
    properties_of,
)
from .client import DEFAULT_CLIENT_NAME, BaseMewsClient, RetryPolicy
from .environments import (
    DEMO,
    PRODUCTION,
    Credentials,
    DemoTokens,
    Environment,
    PortfolioScope,
    resolve_environment,
)
from .errors import (
    MewsApiError,
    MewsBadRequest,
    MewsConflict,
    MewsConnectionError,
    MewsContentTooLarge,
    MewsDecodeError,
    MewsError,
    MewsForbidden,
    MewsNotFound,
    MewsOutcomeUnknown,
    MewsRateLimited,
    MewsServerError,
    MewsTimeout,
    MewsTransportError,
    MewsUnauthorized,
)
from .handover import HandoverClient
from .models.common import TimeInterval
from .operations import MewsClient, PagedOperation
from .paging import Paged
from .ratelimit import LocalTokenBucket, RateLimiter, UnlimitedLimiter

__all__ = [
    "DEFAULT_CLIENT_NAME",
    "DEMO",
    "PRODUCTION",
    "BaseMewsClient",
    "Credentials",
    "DemoTokens",
    "Environment",
    "HandoverClient",
    "LocalTokenBucket",
    "MewsApiError",
    "MewsBadRequest",
    "MewsClient",
    "MewsConflict",
    "MewsConnectionError",
    "MewsContentTooLarge",
    "MewsDecodeError",
    "MewsError",
    "MewsForbidden",
    "MewsNotFound",
    "MewsOutcomeUnknown",
    "MewsRateLimited",
    "MewsServerError",
    "MewsSettings",
    "MewsSettingsError",
    "MewsTimeout",
    "MewsTransportError",
    "MewsUnauthorized",
    "Paged",
    "PagedOperation",
    "PortfolioScope",
    "RateLimiter",
    "RetryPolicy",
    "TimeInterval",
    "UnlimitedLimiter",
    "bind_enterprises",
    "clients_of_token",
    "enterprise_of",
    "properties_of",
    "resolve_environment",
]
