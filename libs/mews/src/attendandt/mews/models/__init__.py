"""msgspec models of the Mews Connector API objects and requests used by Attendandt."""

from .bills import *  # noqa: F403
from .bills import __all__ as _bills
from .common import *  # noqa: F403
from .common import __all__ as _common
from .companies import *  # noqa: F403
from .companies import __all__ as _companies
from .companionships import *  # noqa: F403
from .companionships import __all__ as _companionships
from .customers import *  # noqa: F403
from .customers import __all__ as _customers
from .enterprises import *  # noqa: F403
from .enterprises import __all__ as _enterprises
from .orders import *  # noqa: F403
from .orders import __all__ as _orders
from .payments import *  # noqa: F403
from .payments import __all__ as _payments
from .reservations import *  # noqa: F403
from .reservations import __all__ as _reservations
from .resource_categories import *  # noqa: F403
from .resource_categories import __all__ as _resource_categories
from .resources import *  # noqa: F403
from .resources import __all__ as _resources
from .service_order_notes import *  # noqa: F403
from .service_order_notes import __all__ as _service_order_notes
from .services import *  # noqa: F403
from .services import __all__ as _services

__all__ = [  # noqa: PLE0604
    *_bills,
    *_common,
    *_companionships,
    *_companies,
    *_customers,
    *_enterprises,
    *_orders,
    *_payments,
    *_reservations,
    *_resource_categories,
    *_resources,
    *_service_order_notes,
    *_services,
]
