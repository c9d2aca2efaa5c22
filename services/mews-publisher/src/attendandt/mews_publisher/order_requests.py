"""The `orders/add` requests the publisher sends: a charge's items (every one carrying the
charge's reference as its ExternalIdentifier, which is how a lost answer is looked up), and
a rebate of them (the same items with negative amounts, under `<reference>:rebate`)."""

from __future__ import annotations

from collections.abc import Sequence

from attendandt.contracts.outbound import CancelCharge, PostCharge
from attendandt.mews.models.common import AmountParameters
from attendandt.mews.models.orders import (
    OrderItem,
    OrderItemParameters,
    OrdersAdd,
    ProductOrderParameters,
)


def order_request(p: PostCharge) -> OrdersAdd:
    """The orders/add request; every item carries the charge's reference."""
    items: list[OrderItemParameters] = []
    products: list[ProductOrderParameters] = []
    for line in p.lines:
        amount = AmountParameters(
            currency=line.currency,
            gross_value=line.unit_amount if line.amount_is_gross else None,
            net_value=None if line.amount_is_gross else line.unit_amount,
            tax_codes=list(line.tax_codes) or None,
        )
        if line.product_id is not None:
            products.append(
                ProductOrderParameters(
                    product_id=line.product_id,
                    count=line.unit_count,
                    unit_amount=amount,
                    external_identifier=p.reference,
                )
            )
        else:
            items.append(
                OrderItemParameters(
                    name=line.name,
                    unit_count=line.unit_count,
                    unit_amount=amount,
                    accounting_category_id=line.accounting_category_id,
                    external_identifier=p.reference,
                )
            )
    return OrdersAdd(
        service_id=p.service_id,
        account_id=p.account_id,
        product_orders=products or None,
        items=items or None,
        consumption_utc=p.consumption_utc,
        notes=p.notes,
        linked_reservation_id=p.linked_reservation_id,
    )


def rebate_reference(reference: str) -> str:
    """The ExternalIdentifier of a charge's rebate items (a charge is rebated once)."""
    return f"{reference}:rebate"


def rebate_request(c: CancelCharge, items: Sequence[OrderItem]) -> OrdersAdd:
    """The charge's items again with negative amounts, at the price Mews booked them."""
    lines = []
    for item in items:
        unit = item.unit_amount
        if unit is None or unit.currency is None:
            raise ValueError(f"order item {item.id} has no unit amount to offset")
        value = unit.gross_value if c.amount_is_gross else unit.net_value
        if value is None:
            raise ValueError(
                f"order item {item.id} has no {'gross' if c.amount_is_gross else 'net'} value"
            )
        codes = [t.code for t in unit.tax_values or () if t.code][:1]
        name = item.billing_name or "Charge"
        lines.append(
            OrderItemParameters(
                name=f"{name} (cancelled)"[:255],
                unit_count=int(item.unit_count or 1),
                unit_amount=AmountParameters(
                    currency=unit.currency,
                    gross_value=-value if c.amount_is_gross else None,
                    net_value=None if c.amount_is_gross else -value,
                    tax_codes=codes or None,
                ),
                accounting_category_id=item.accounting_category_id,
                external_identifier=rebate_reference(c.reference),
            )
        )
    return OrdersAdd(
        service_id=c.service_id,
        account_id=c.account_id,
        items=lines,
        linked_reservation_id=c.linked_reservation_id,
    )
