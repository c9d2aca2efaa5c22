"""The guest fields a change made here can carry to Mews (`customers/update`), named once.

Each field has our name (the one of `GuestSnapshot` where the guests service keeps it), the
name Mews gives it in `customers/update` and in the Customer it returns, and the shape of
its value. Every plain field Mews documents for `customers/update` is here; `stored` says
which of them the guests service keeps, and so which of them staff can edit here (an edit
is judged against the value the user saw). Mews's `Address` (an object of its own, read
through `addresses/getAll`) and the Italian codes (update wrappers) are not here.

`customers/update` cannot clear a field (a blank value leaves it untouched), so a change
sets a value, never removes one; `normalise` is how both sides compare values: blanks are
None, text is stripped, lists are sorted sets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

#: A field's value on the wire: text (a date as `YYYY-MM-DD`), a list of names, or None.
FieldValue = str | tuple[str, ...] | None

Kind = Literal["text", "list", "date", "code", "language", "country", "id", "title", "sex"]

#: Mews's customer classifications (the Customer classification enum).
CLASSIFICATIONS = (
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
)
#: Mews's customer options.
OPTIONS = (
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
)
TITLES = ("Mister", "Miss", "Misses")
SEXES = ("Male", "Female")


@dataclass(frozen=True)
class CustomerField:
    #: Our name (GuestSnapshot's where the guests service keeps the field).
    name: str
    #: The name in Mews's `customers/update` request and Customer object.
    mews: str
    kind: Kind
    #: Whether the guests service keeps the field (only those can be edited here).
    stored: bool = False
    max_length: int = 2000
    #: The values a list or enum field may hold.
    allowed: tuple[str, ...] = ()

    @property
    def attribute(self) -> str:
        """The Mews client's attribute (snake case of the Mews name)."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.mews).lower()


CUSTOMER_FIELDS: tuple[CustomerField, ...] = (
    CustomerField("title", "Title", "title", allowed=TITLES),
    CustomerField("first_name", "FirstName", "text", stored=True, max_length=255),
    CustomerField("last_name", "LastName", "text", stored=True, max_length=255),
    CustomerField("second_last_name", "SecondLastName", "text", max_length=255),
    CustomerField("nationality_code", "NationalityCode", "country", stored=True),
    CustomerField("language_code", "PreferredLanguageCode", "language", stored=True),
    CustomerField("sex", "Sex", "sex", allowed=SEXES),
    CustomerField("birth_date", "BirthDate", "date", stored=True),
    CustomerField("birth_country_code", "BirthCountryCode", "country"),
    CustomerField("birth_country_subdivision_code", "BirthCountrySubdivisionCode", "code"),
    CustomerField("birth_place", "BirthPlace", "text", max_length=255),
    CustomerField("occupation", "Occupation", "text", max_length=255),
    CustomerField("email", "Email", "text", stored=True, max_length=255),
    CustomerField("phone", "Phone", "text", stored=True, max_length=100),
    CustomerField("loyalty_code", "LoyaltyCode", "text", max_length=255),
    CustomerField("notes", "Notes", "text", stored=True, max_length=2000),
    CustomerField("car_registration_number", "CarRegistrationNumber", "text", max_length=255),
    CustomerField("dietary_requirements", "DietaryRequirements", "text", max_length=255),
    CustomerField("tax_identification_number", "TaxIdentificationNumber", "text", max_length=255),
    CustomerField("company_mews_id", "CompanyId", "id", stored=True),
    CustomerField(
        "classifications", "Classifications", "list", stored=True, allowed=CLASSIFICATIONS
    ),
    CustomerField("options", "Options", "list", allowed=OPTIONS),
)
BY_NAME: dict[str, CustomerField] = {f.name: f for f in CUSTOMER_FIELDS}
#: What staff can edit here, in the order a form shows them.
EDITABLE: tuple[str, ...] = tuple(f.name for f in CUSTOMER_FIELDS if f.stored)

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CODE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InvalidValue(ValueError):
    """A value the field cannot take; the message says why, for the user."""


def normalise(name: str, value: object) -> FieldValue:
    """The value as both sides compare it: None for blank, text stripped, a list as its
    sorted distinct names, a date as `YYYY-MM-DD`."""
    if value is None:
        return None
    spec = BY_NAME.get(name)
    if spec is not None and spec.kind == "list":
        if isinstance(value, str):
            return (value,) if value.strip() else ()
        return tuple(sorted({str(v) for v in value}))  # type: ignore[attr-defined]
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def check(name: str, value: FieldValue) -> FieldValue:
    """`value` normalised if field `name` can be set to it through `customers/update`,
    else InvalidValue saying why."""
    spec = BY_NAME.get(name)
    if spec is None:
        raise InvalidValue(f"{name} is not a guest field Mews takes")
    if spec.kind == "list":
        if value is None or isinstance(value, str):
            raise InvalidValue(f"{name} is a list of names")
        unknown = sorted(set(value) - set(spec.allowed))
        if unknown:
            raise InvalidValue(f"{name}: unknown {', '.join(unknown)}")
        return normalise(name, value)
    if not isinstance(value, str):
        raise InvalidValue(f"{name} is text")
    text = value.strip()
    if not text:
        raise InvalidValue(f"{name}: Mews cannot clear a field through customers/update")
    if len(text) > spec.max_length:
        raise InvalidValue(f"{name}: at most {spec.max_length} characters")
    valid = {
        "text": lambda: name != "email" or bool(_EMAIL.match(text)),
        "date": lambda: _is_date(text),
        "code": lambda: bool(_CODE.match(text)),
        "language": lambda: bool(_LANGUAGE.match(text)),
        "country": lambda: bool(_COUNTRY.match(text)),
        "id": lambda: bool(_ID.match(text)),
        "title": lambda: text in spec.allowed,
        "sex": lambda: text in spec.allowed,
    }[spec.kind]()
    if not valid:
        raise InvalidValue(f"{name}: {text[:60]!r} is not {_EXPECTED[spec.kind]}")
    return text


_EXPECTED = {
    "text": "an email address",
    "date": "a date (YYYY-MM-DD)",
    "code": "a subdivision code like GB-LND",
    "language": "a language code like en-GB",
    "country": "a two-letter country code like GB",
    "id": "a Mews id",
    "title": "one of " + ", ".join(TITLES),
    "sex": "one of " + ", ".join(SEXES),
}


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10
