"""The seeded hotels: who they are, where, their prices, rooms and demo tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from attendandt.mews_sim.seed.ids import ID_NAMESPACE

# The access tokens of Mews's public demo token pairs (see `enterprises.DEMO_CLIENT_TOKENS`).
GROSS_ACCESS_TOKENS = (
    "C66EF7B239D24632943D115EDE9CB810-EA00F8FD8294692C940F6B5A8F9453D",
    "CC150C355D6A4048A220AD20015483AB-B6D09C0C84B09538077CB8FFBB907B4",
    "5F56B9903A834F199E28AD20015E58CA-5C6A1A00550634911534AD6A098E8B7",
    "39E301DD5A1C4A569087AD20015F60DD-50DC28896E9090CCA0995C9BBD90351",
)
NET_ACCESS_TOKENS = (
    "4D6C7ABE0E6A4681B0AFB16900AE5D86-DF50CBC89E1D4FF5859DDF021649ED5",
    "1AEFA58C55E74D65BDC7AD2001564C12-66633E0B736F523379B9E5966165A55",
    "682C235379B64D909941AD2001577525-BFC60A026081F1350FAA99CAB9F7510",
    "BFD4298010F54B069F3DAD20015D53EA-D5561FADFBA4EFC8EA4C179C6BC461F",
)
# The ids the documentation examples use for "the" enterprise and "another" one, so example
# requests filtering by EnterpriseIds find the simulated enterprises.
GROSS_ENTERPRISE_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
NET_ENTERPRISE_ID = "4d0201db-36f5-428b-8d11-4f0a65e960cc"


@dataclass(frozen=True)
class RoomCategorySpec:
    """A room type: its name in the hotel's language (and a translation), its share of the
    rooms and of the stays."""

    name: str
    short_name: str
    type: str
    capacity: int
    weight: float
    classification: str
    translations: tuple[tuple[str, str], ...] = ()


LONDON_ROOMS = (
    RoomCategorySpec(
        "Standard Double", "DBL", "Room", 2, 0.5, "DoubleBed", (("fr-FR", "Double standard"),)
    ),
    RoomCategorySpec("Twin", "TWN", "Room", 2, 0.25, "TwinBeds", (("fr-FR", "Lits jumeaux"),)),
    RoomCategorySpec(
        "Deluxe King", "DLK", "Room", 2, 0.15, "DoubleBed", (("fr-FR", "Deluxe King"),)
    ),
    RoomCategorySpec(
        "Riverside Suite", "STE", "Suite", 4, 0.10, "DoubleBed", (("fr-FR", "Suite Riverside"),)
    ),
)
WASHINGTON_ROOMS = (
    RoomCategorySpec(
        "Standard Queen", "QN", "Room", 2, 0.5, "DoubleBed", (("es-ES", "Queen estándar"),)
    ),
    RoomCategorySpec(
        "Double Queen", "QQ", "Room", 4, 0.25, "TwinBeds", (("es-ES", "Dos camas Queen"),)
    ),
    RoomCategorySpec(
        "Deluxe King", "KNG", "Room", 2, 0.15, "DoubleBed", (("es-ES", "King de lujo"),)
    ),
    RoomCategorySpec(
        "Capitol Suite", "STE", "Suite", 4, 0.10, "DoubleBed", (("es-ES", "Suite Capitol"),)
    ),
)


@dataclass
class EnterpriseSpec:
    id: str
    name: str
    short_name: str
    chain_name: str
    pricing: str
    currency: str
    tax_code: str
    time_zone: str
    legal: str
    tax_environment: str
    language: str
    address: dict[str, Any]
    phone: str
    email: str
    website: str
    access_tokens: tuple[str, ...]
    room_categories: tuple[RoomCategorySpec, ...] = LONDON_ROOMS
    # None: a chain of its own (derived from the id); set for a portfolio's properties.
    chain_id: str | None = None
    is_portfolio: bool = False


# Two hotels a person tells apart at a glance: another city, time zone, currency and pricing.
# "(SIM)" keeps them recognisable as simulated wherever their name shows.
GROSS_HOTEL_NAME = "Thames Bank Hotel London (SIM)"
NET_HOTEL_NAME = "Capitol Park Hotel Washington (SIM)"


def _london() -> EnterpriseSpec:
    """The first, Gross-priced hotel: the enterprise the documentation examples use."""
    return EnterpriseSpec(
        id=GROSS_ENTERPRISE_ID,
        name=GROSS_HOTEL_NAME,
        short_name="Thames Bank",
        chain_name="Thames Bank Hotels",
        pricing="Gross",
        currency="GBP",
        tax_code="UK-S",
        time_zone="Europe/London",
        legal="UK",
        tax_environment="UK",
        language="en-GB",
        address={
            "Line1": "12 Riverside Walk",
            "City": "London",
            "PostalCode": "SE1 9PP",
            "CountryCode": "GB",
            "CountrySubdivisionCode": "GB-ENG",
            "Latitude": 51.5072,
            "Longitude": -0.0966,
        },
        phone="+44 20 7946 0000",
        email="frontdesk@thamesbank.example",
        website="https://thamesbank.example",
        access_tokens=GROSS_ACCESS_TOKENS,
    )


def _washington() -> EnterpriseSpec:
    """The second, Net-priced hotel: "another" enterprise of the documentation examples."""
    return EnterpriseSpec(
        id=NET_ENTERPRISE_ID,
        name=NET_HOTEL_NAME,
        short_name="CapitolPark",
        chain_name="Capitol Park Hospitality",
        pricing="Net",
        currency="USD",
        tax_code="US-DC-G",
        time_zone="America/New_York",
        legal="US-DC",
        tax_environment="US-DC",
        language="en-US",
        address={
            "Line1": "400 New Jersey Avenue NW",
            "City": "Washington",
            "PostalCode": "20001",
            "CountryCode": "US",
            "CountrySubdivisionCode": "US-DC",
            "Latitude": 38.8977,
            "Longitude": -77.0107,
        },
        phone="+1 202 555 0100",
        email="frontdesk@capitolpark.example",
        website="https://capitolpark.example",
        access_tokens=NET_ACCESS_TOKENS,
        room_categories=WASHINGTON_ROOMS,
    )


def _prague(index: int) -> EnterpriseSpec:
    """A further hotel, its id and tokens derived from its position."""
    ent_id = str(uuid.uuid5(ID_NAMESPACE, f"enterprise-{index}"))
    tokens = tuple(
        str(uuid.uuid5(ID_NAMESPACE, f"access-{index}-{k}")).replace("-", "").upper() + "-SIM"
        for k in range(4)
    )
    return EnterpriseSpec(
        id=ent_id,
        name=f"Vltava Hotel Prague {index + 1} (SIM)",
        short_name=f"Vltava {index + 1}"[:11],
        chain_name="Vltava Hotels",
        pricing="Gross",
        currency="EUR",
        tax_code="UK-S",
        time_zone="Europe/Prague",
        legal="UK",
        tax_environment="UK",
        language="en-GB",
        address={
            "Line1": f"Street {index}",
            "City": "Prague",
            "PostalCode": "11000",
            "CountryCode": "CZ",
        },
        phone=f"+420 200 000 {index:03d}",
        email=f"frontdesk@vltava{index + 1}.example",
        website=f"https://vltava{index + 1}.example",
        access_tokens=tokens,
    )


def connected_spec(enterprise_id: str, name: str, index: int, access_token: str) -> EnterpriseSpec:
    """A property that connects while the simulator runs: a Prague hotel of its own chain,
    under the given id, name and access token."""
    return replace(
        _prague(index),
        id=enterprise_id,
        name=name,
        short_name=name[:11],
        chain_name=name,
        access_tokens=(access_token,),
    )


def enterprise_specs(count: int) -> list[EnterpriseSpec]:
    specs = [_london(), _washington()]
    for index in range(2, count):
        specs.append(_prague(index))
    return specs[:count]
