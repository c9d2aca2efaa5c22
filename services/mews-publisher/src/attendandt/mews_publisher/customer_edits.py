"""What a staff edit of a guest becomes in Mews, decided from the customer as Mews holds it now.

For each field of the edit, Mews holds one of three things:
- our value: nothing to write (an earlier attempt got there, or someone set the same);
- the value the user saw (`base`): nobody else changed it, so ours is written;
- anything else: Mews changed it since the user looked; nothing is written for it and
  Mews's value goes back as a conflict for the user (or the hotel's rule) to settle.

Fields nobody else changed are written even when another field of the same edit conflicts.
No I/O here: the service reads the customer, asks `plan`, writes `to_write`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from attendandt.contracts.commands import EditFieldOutcome
from attendandt.contracts.guest_fields import BY_NAME, FieldValue, normalise
from attendandt.contracts.outbound import CustomerFieldChange
from attendandt.mews.models.customers import Customer, CustomersUpdate


def mews_value(customer: Customer, name: str) -> FieldValue:
    """Field `name` (ours) of the customer as Mews holds it, normalised. The language is
    the preferred one, else the profile's (as sync reads it)."""
    if name == "language_code":
        return normalise(name, customer.preferred_language_code or customer.language_code)
    return normalise(name, getattr(customer, BY_NAME[name].attribute, None))


@dataclass
class Plan:
    #: Field (ours) → the value to write.
    to_write: dict[str, FieldValue] = field(default_factory=dict)
    #: The outcome of every other field, decided without writing.
    decided: list[EditFieldOutcome] = field(default_factory=list)


def plan(changes: tuple[CustomerFieldChange, ...], customer: Customer) -> Plan:
    result = Plan()
    for change in changes:
        if change.field not in BY_NAME:
            result.decided.append(EditFieldOutcome(field=change.field, outcome="failed"))
            continue
        now = mews_value(customer, change.field)
        ours = normalise(change.field, change.value)
        if now == ours:
            result.decided.append(
                EditFieldOutcome(field=change.field, outcome="applied", mews_value=now)
            )
        elif now == normalise(change.field, change.base):
            result.to_write[change.field] = ours
        else:
            result.decided.append(
                EditFieldOutcome(field=change.field, outcome="conflict", mews_value=now)
            )
    return result


def update_request(customer_id: str, values: dict[str, FieldValue]) -> CustomersUpdate:
    """customers/update with only these fields (the others are left as they are)."""
    fields: dict[str, Any] = {}
    for name, value in values.items():
        spec = BY_NAME[name]
        if spec.kind == "list":
            fields[spec.attribute] = list(value or ())
        elif spec.kind == "date" and isinstance(value, str):
            fields[spec.attribute] = date.fromisoformat(value)
        else:
            fields[spec.attribute] = value
    return CustomersUpdate(customer_id=customer_id, **fields)


def written(values: dict[str, FieldValue], answer: Customer) -> list[EditFieldOutcome]:
    """The written fields as Mews answered them: applied, with the value Mews keeps (it may
    have tidied ours)."""
    return [
        EditFieldOutcome(field=name, outcome="applied", mews_value=mews_value(answer, name))
        for name in values
    ]
