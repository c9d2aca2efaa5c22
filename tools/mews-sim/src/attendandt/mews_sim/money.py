"""Mews `Amount` objects: gross/net/tax from one value, a currency and one tax-rate code."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from attendandt.mews_sim.errors import invalid
from attendandt.mews_sim.params import Params

# Tax-rate codes of the two simulated tax environments. Unknown codes are accepted at 0 %:
# the simulator does not validate tax environments.
TAX_RATES: dict[str, Decimal] = {
    "UK-S": Decimal("0.20"),
    "UK-R": Decimal("0.05"),
    "UK-Z": Decimal("0"),
    "US-DC-G": Decimal("0.06"),
    "US-DC-L": Decimal("0.1495"),
    "US-DC-Z": Decimal("0"),
}
CENT = Decimal("0.01")


def _num(value: Decimal) -> float | int:
    quantized = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return int(quantized) if quantized == quantized.to_integral_value() else float(quantized)


def amount(
    currency: str,
    tax_code: str,
    *,
    gross: Decimal | None = None,
    net: Decimal | None = None,
    count: int = 1,
) -> dict[str, Any]:
    rate = TAX_RATES.get(tax_code, Decimal("0"))
    if gross is not None:
        gross_total = gross * count
        net_total = (gross_total / (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        assert net is not None
        net_total = net * count
        gross_total = (net_total * (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    tax = gross_total - net_total
    return {
        "Currency": currency,
        "NetValue": _num(net_total),
        "GrossValue": _num(gross_total),
        "TaxValues": [{"Code": tax_code, "Value": _num(tax)}],
        "Breakdown": {
            "Items": [{"TaxRateCode": tax_code, "NetValue": _num(net_total), "TaxValue": _num(tax)}]
        },
    }


def scaled(unit: dict[str, Any], count: int) -> dict[str, Any]:
    code = unit["TaxValues"][0]["Code"] if unit["TaxValues"] else "UK-Z"
    return amount(unit["Currency"], code, gross=Decimal(str(unit["GrossValue"])), count=count)


def from_parameters(
    p: Params, name: str, default_currency: str, default_tax: str
) -> dict[str, Any]:
    """An `Amount parameters` request object -> a response `Amount`.

    Mews wants GrossValue in Gross-pricing and NetValue in Net-pricing enterprises; the
    simulator takes either (the documentation's own examples mix them).
    """
    currency = p.opt_str("Currency") or default_currency
    if len(currency) != 3:
        raise invalid(name, "Currency must be an ISO 4217 code.")
    codes = p.opt_strs("TaxCodes", max_items=10) or [default_tax]
    gross = _decimal(p, "GrossValue", name)
    net = _decimal(p, "NetValue", name)
    if gross is None and net is None:
        raise invalid(name, "GrossValue or NetValue is required.")
    return amount(currency, codes[0], gross=gross, net=None if gross is not None else net)


def _decimal(p: Params, key: str, name: str) -> Decimal | None:
    value = p.body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(name, f"{key} must be a number.")
    result = Decimal(str(value))
    if not result.is_finite() or abs(result) > Decimal("1e12"):
        raise invalid(name, f"{key} is out of range.")
    return result


def untaxed(currency: str, value: Decimal) -> dict[str, Any]:
    """An amount no tax applies to (a payment), in the shape `payments/getAll` answers."""
    number = _num(value)
    return {
        "Currency": currency,
        "NetValue": number,
        "GrossValue": number,
        "TaxValues": [],
        "Breakdown": {"Items": [{"TaxRateCode": None, "NetValue": number, "TaxValue": 0}]},
    }
