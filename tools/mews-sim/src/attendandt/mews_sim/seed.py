"""A deterministic, realistic hotel data set of configurable size.

The hotels are built as they stand at the simulator's clock reading (`now`): the same
`SeedConfig` and the same `now` give the same data, as every id and value comes from a
`random.Random` seeded from the config. Stays run from 90 days before the hotel's local
today to 180 days after it (see `seed_stays`), so every state exists: processed and canceled
stays in the past, guests in house, guests checked out or still due out today, confirmed,
optional, inquired and requested stays ahead. Nothing is stamped after `now`.
"""

from __future__ import annotations

import bisect
import random
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from attendandt.mews_sim import clock, doc_fixtures, money, seed_stays, shapes
from attendandt.mews_sim.store import EnterpriseInfo, Integration, Store

# Public demo token pairs published by Mews (guidelines/environments.md): the same pairs work
# unchanged against the simulator. The first pair of each enterprise is the one every
# documentation example uses.
DEMO_CLIENT_TOKENS = (
    "E0D439EE522F44368DC78E1BFB03710C-D24FB11DBE31D4621C4817E028D9E1D",
    "E916C341431C4D28A866AD200152DBD3-A046EB5583FFBE94DE1172237763712",
    "2CC71B0660F345019882AD200155B4FE-4A1FC9080A4DD2A404734003674F77E",
    "07AB1F14B55C49B8BDD6AD200158423B-273A4497AFF5E20566D7199DB3DC2BA",
)
DEMO_INTEGRATION_NAMES = (
    "Are you ready to integrate with Mews?",
    "Connector API Test Client 2",
    "Connector API Test Client 3",
    "Connector API Test Client 4",
)
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
ID_NAMESPACE = uuid.UUID("5b0e7a4e-3c55-4a86-9a57-2f0c4f1d7e10")

FIRST_NAMES = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Lukas",
    "Anna",
    "Jakub",
    "Tereza",
    "Hugo",
    "Lea",
    "Oliver",
    "Amelia",
    "Noah",
    "Isla",
    "Mateo",
    "Sofia",
    "Liam",
    "Emma",
    "Elias",
    "Mia",
    "Marco",
    "Giulia",
    "Yuki",
    "Aiko",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Novak",
    "Svoboda",
    "Dvorak",
    "Muller",
    "Schmidt",
    "Rossi",
    "Russo",
    "Bianchi",
    "Dubois",
    "Laurent",
    "Tanaka",
    "Sato",
    "Kowalski",
    "Nowak",
    "Jensen",
    "Hansen",
    "Silva",
    "Santos",
]
NATIONALITIES = ("GB", "US", "CZ", "DE", "FR", "IT", "ES", "JP", "PL", "DK", "PT", "NL")
COMPANY_WORDS = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Hooli",
    "Vandelay",
    "Oceanic",
    "Monarch",
    "Aperture",
    "Gringotts",
]
COMPANY_KINDS = ("Travel", "Consulting", "Logistics", "Media", "Holdings", "Systems")


@dataclass(frozen=True)
class SeedConfig:
    """Totals over all enterprises (split evenly).

    `anchor` puts the simulator's clock at a chosen moment before the hotel is built: an ISO
    date-time, or a `YYYY-MM-DD` day (read as 12:00 UTC, daytime in London and New York).
    Without it the hotel is built around the clock as it is.
    """

    enterprises: int = 2
    rooms: int = 300
    customers: int = 5000
    reservations: int = 10000
    companies: int = 100
    random_seed: int = 42
    anchor: str | None = None
    doc_fixtures: bool = True
    extra_tokens: tuple[tuple[str, str, int], ...] = field(default=())

    def anchor_time(self) -> datetime | None:
        if not self.anchor:
            return None
        return parse_anchor(self.anchor)


def parse_anchor(value: str) -> datetime:
    """`YYYY-MM-DD` (12:00 UTC that day) or an ISO 8601 date-time. Raises ValueError."""
    if len(value.strip()) == 10:
        return datetime.combine(date.fromisoformat(value.strip()), time(12), tzinfo=UTC)
    return clock.parse(value).replace(microsecond=0)


# `small` has enough stays for an arrival and a departure on every day of its 271-day range
# in each hotel (the day-list backbone takes 278 stays per hotel).
PRESETS: dict[str, SeedConfig] = {
    "default": SeedConfig(),
    "small": SeedConfig(rooms=24, customers=200, reservations=700, companies=8),
    "tiny": SeedConfig(rooms=8, customers=10, reservations=12, companies=2),
    "large": SeedConfig(rooms=600, customers=50000, reservations=100000, companies=500),
}


def parse_seed(text: str, base: SeedConfig | None = None) -> SeedConfig:
    """`small`, `default`, or `key=value,...` over a preset (`small,customers=500`)."""
    config = base or PRESETS["default"]
    for part in (p.strip() for p in text.split(",") if p.strip()):
        if "=" not in part:
            if part not in PRESETS:
                raise ValueError(f"unknown seed preset {part!r}; known: {', '.join(PRESETS)}")
            config = replace(PRESETS[part], extra_tokens=config.extra_tokens)
            continue
        key, value = (s.strip() for s in part.split("=", 1))
        if key in ("enterprises", "rooms", "customers", "reservations", "companies", "random_seed"):
            config = replace(config, **{key: int(value)})  # type: ignore[arg-type]
        elif key == "anchor":
            parse_anchor(value)
            config = replace(config, anchor=value)
        elif key == "doc_fixtures":
            config = replace(config, doc_fixtures=value.lower() in ("1", "true", "yes"))
        else:
            raise ValueError(f"unknown seed setting {key!r}")
    if config.enterprises < 1:
        raise ValueError("at least one enterprise is needed")
    return config


class Ids:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


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


# Two hotels a person tells apart at a glance: another city, time zone, currency and pricing.
# "(SIM)" keeps them recognisable as simulated wherever their name shows.
GROSS_HOTEL_NAME = "Thames Bank Hotel London (SIM)"
NET_HOTEL_NAME = "Capitol Park Hotel Washington (SIM)"


def enterprise_specs(count: int) -> list[EnterpriseSpec]:
    specs = [
        EnterpriseSpec(
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
        ),
        EnterpriseSpec(
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
        ),
    ]
    for index in range(2, count):
        ent_id = str(uuid.uuid5(ID_NAMESPACE, f"enterprise-{index}"))
        tokens = tuple(
            str(uuid.uuid5(ID_NAMESPACE, f"access-{index}-{k}")).replace("-", "").upper() + "-SIM"
            for k in range(4)
        )
        specs.append(
            EnterpriseSpec(
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
        )
    return specs[:count]


def build(config: SeedConfig, now: datetime | None = None) -> Store:
    """The hotels as they stand at `now` (default: the anchor if set, else the clock)."""
    now = (now or config.anchor_time() or clock.now()).astimezone(UTC).replace(microsecond=0)
    store = Store()
    specs = enterprise_specs(config.enterprises)
    # The first (Gross) enterprise is the oldest: the documentation's enterprises/getAll
    # example pages from the second one as its cursor and expects the first.
    for index in range(len(specs)):
        _seed_enterprise_row(store, specs[index], index)
    for index, spec in enumerate(specs):
        rng = random.Random(f"{config.random_seed}:{index}")  # noqa: S311 - deterministic test data, not security
        share = _share(config, index, len(specs))
        _seed_enterprise(store, spec, rng, now, share)
    if config.doc_fixtures and specs[0].id == GROSS_ENTERPRISE_ID:
        doc_fixtures.add(store, datetime.combine(now.date(), time(0), tzinfo=UTC))
    for client_token, access_token, enterprise_index in config.extra_tokens:
        spec = specs[min(max(enterprise_index, 0), len(specs) - 1)]
        store.add_integration(
            Integration(
                label=f"extra-{len(store.integrations)}",
                name="Configured integration",
                client_token=client_token,
                access_token=access_token,
                enterprise_id=spec.id,
                integration_id=store.info[spec.id].integration_id,
            )
        )
    return store


def _share(config: SeedConfig, index: int, count: int) -> dict[str, int]:
    def part(total: int) -> int:
        base, extra = divmod(total, count)
        return base + (1 if index < extra else 0)

    return {
        "rooms": max(part(config.rooms), 4),
        "customers": max(part(config.customers), 4),
        "reservations": part(config.reservations),
        "companies": max(part(config.companies), 1),
    }


def _seed_enterprise_row(store: Store, spec: EnterpriseSpec, index: int) -> None:
    chain_id = str(uuid.uuid5(ID_NAMESPACE, f"chain-{spec.id}"))
    integration_id = str(uuid.uuid5(ID_NAMESPACE, f"integration-{spec.id}"))
    created = clock.fmt(datetime(2022, 3, 23, 17, 12, 6, tzinfo=UTC) + timedelta(days=index))
    store.enterprises.add(
        shapes.enterprise(
            id=spec.id,
            chain_id=chain_id,
            name=spec.name,
            pricing=spec.pricing,
            currency=spec.currency,
            time_zone=spec.time_zone,
            legal_environment=spec.legal,
            tax_environment=spec.tax_environment,
            address_fields=spec.address,
            address_id=str(uuid.uuid5(ID_NAMESPACE, f"address-{spec.id}")),
            created=created,
            updated=clock.fmt(datetime(2023, 10, 15, tzinfo=UTC) + timedelta(days=index)),
            linked=clock.fmt(datetime(2023, 6, 1, tzinfo=UTC) + timedelta(hours=index)),
            external_identifier="Enterprise2023" if index == 0 else f"Enterprise{index + 2023}",
            short_name=spec.short_name,
            chain_name=spec.chain_name,
            default_language=spec.language,
            phone=spec.phone,
            email=spec.email,
            website=spec.website,
        ),
        spec.id,
    )
    store.info[spec.id] = EnterpriseInfo(
        id=spec.id,
        chain_id=chain_id,
        name=spec.name,
        pricing="Gross" if spec.pricing == "Gross" else "Net",
        currency=spec.currency,
        default_tax_code=spec.tax_code,
        time_zone=spec.time_zone,
        integration_id=integration_id,
    )
    short = "gross" if index == 0 else "net" if index == 1 else f"e{index + 1}"
    for k, access_token in enumerate(spec.access_tokens):
        client_token = DEMO_CLIENT_TOKENS[k % len(DEMO_CLIENT_TOKENS)]
        store.add_integration(
            Integration(
                label=f"{short}-{k + 1}",
                name=DEMO_INTEGRATION_NAMES[k % len(DEMO_INTEGRATION_NAMES)],
                client_token=client_token,
                access_token=access_token,
                enterprise_id=spec.id,
                integration_id=integration_id,
            )
        )


def _price(spec: EnterpriseSpec, value: str, tax_code: str | None = None) -> dict[str, Any]:
    code = tax_code or spec.tax_code
    if spec.pricing == "Gross":
        return money.amount(spec.currency, code, gross=Decimal(value))
    return money.amount(spec.currency, code, net=Decimal(value))


def _seed_enterprise(  # noqa: PLR0915 - the seed reads top to bottom
    store: Store, spec: EnterpriseSpec, rng: random.Random, now: datetime, share: dict[str, int]
) -> None:
    new_id = Ids(rng)
    ent = spec.id
    info = store.info[ent]
    chain = info.chain_id
    setup_time = clock.fmt(now - timedelta(days=400))
    is_gross = ent == GROSS_ENTERPRISE_ID

    # accounting categories
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

    # services and products
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
    product_rows = (
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
    products_by_service: dict[str, list[dict[str, Any]]] = {}
    for ordering, (svc, name, short, acc, price, charging, food, bev, well) in enumerate(
        product_rows
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

    # age categories, rate group and rates
    store.age_categories[ent] = [new_id(), new_id()]
    accommodation = service_ids["Accommodation"]
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

    # resource categories (each hotel its own, named in its language) and rooms
    room_categories: list[tuple[str, float]] = []
    for ordering, category in enumerate(spec.room_categories):
        category_id = new_id()
        room_categories.append((category_id, category.weight))
        store.resource_categories.add(
            shapes.resource_category(
                id=category_id,
                enterprise_id=ent,
                service_id=accommodation,
                name=category.name,
                short_name=category.short_name,
                type=category.type,
                capacity=category.capacity,
                ordering=ordering,
                classification=category.classification,
                language=spec.language,
                translations=dict(category.translations),
            ),
            ent,
        )
    rooms_by_category: dict[str, list[str]] = {c: [] for c, _ in room_categories}
    room_count = share["rooms"]
    cumulative = 0.0
    bounds = []
    for category_id, weight in room_categories:
        cumulative += weight
        bounds.append((category_id, cumulative))
    for n in range(room_count):
        floor = 2 + n // 20
        name = f"{floor}{n % 20 + 1:02d}"
        fraction = (n + 0.5) / room_count
        category_id = next(c for c, b in bounds if fraction <= b)
        room_id = new_id()
        store.resources.add(
            shapes.resource(
                id=room_id,
                enterprise_id=ent,
                name=name,
                floor=str(floor),
                # Housekeeping follows the stays: set once they are seeded.
                state="Clean",
                created=setup_time,
            ),
            ent,
        )
        # Derived from the room, not drawn from `rng`: the rest of the seed stays as it was.
        store.assign_category(
            shapes.resource_category_assignment(
                id=str(uuid.uuid5(ID_NAMESPACE, f"category-assignment-{room_id}")),
                resource_id=room_id,
                category_id=category_id,
                created=setup_time,
            ),
            ent,
        )
        rooms_by_category[category_id].append(room_id)

    # companies
    company_ids = []
    for n in range(share["companies"]):
        word = COMPANY_WORDS[n % len(COMPANY_WORDS)]
        kind = COMPANY_KINDS[(n // len(COMPANY_WORDS)) % len(COMPANY_KINDS)]
        name = f"{word} {kind}" + (f" {n // 96 + 1}" if n >= 96 else "")
        created = now - timedelta(days=rng.randint(100, 1000))
        company_id = new_id()
        company_ids.append(company_id)
        slug = name.lower().replace(" ", "-")
        store.companies.add(
            shapes.company(
                id=company_id,
                chain_id=chain,
                name=name,
                number=n + 1,
                created=clock.fmt(created),
                updated=clock.fmt(created + timedelta(days=rng.randint(0, 90))),
                external_identifier=f"COMP-{n + 1:04d}",
                invoicing_email=f"billing@{slug}.example",
                telephone=f"+44 20 7946 {1000 + n:04d}",
                contact_person=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                iata=None,
                department="Travel" if kind == "Travel" else None,
            ),
            chain,
        )

    # customers, inserted oldest first
    customer_rows = []
    for n in range(share["customers"]):
        created = now - timedelta(days=rng.uniform(1, 730))
        customer_rows.append((created, n))
    customer_rows.sort()
    customers_by_age: list[tuple[datetime, str]] = []
    for created, n in customer_rows:
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        sex = rng.choice(("Male", "Female", None))
        nationality = rng.choice(NATIONALITIES)
        updated = max(created, now - timedelta(days=rng.uniform(0.01, 80)))
        customer_id = new_id()
        customers_by_age.append((created, customer_id))
        store.customers.add(
            shapes.customer(
                id=customer_id,
                chain_id=chain,
                number=str(10000 + n),
                first_name=first,
                last_name=last,
                title={"Male": "Mister", "Female": "Misses"}.get(sex or ""),
                sex=sex,
                nationality=nationality,
                preferred_language="en-GB" if nationality == "GB" else "en-US",
                birth_date=(date(1950, 1, 1) + timedelta(days=rng.randint(0, 18000))).isoformat(),
                email=f"{first.lower()}.{last.lower()}.{n}@guest.example",
                phone=f"+44 7700 {900000 + n:06d}",
                loyalty_code=f"LL{100000 + n}" if rng.random() < 0.2 else None,
                classifications=["Returning"] if rng.random() < 0.15 else [],
                options=["SendMarketingEmails"] if rng.random() < 0.4 else [],
                company_id=rng.choice(company_ids) if rng.random() < 0.05 else None,
                created=clock.fmt(created),
                updated=clock.fmt(updated),
            ),
            chain,
        )

    _seed_reservations(
        store,
        spec,
        rng,
        new_id,
        now,
        share["reservations"],
        customers_by_age,
        room_categories,
        rooms_by_category,
        rate_ids,
        accommodation,
        products_by_service,
        service_ids,
    )


NOTE_TEXTS = (
    "Extra pillows, please.",
    "Late arrival around 23:00.",
    "Allergic to feathers: hypoallergenic bedding.",
    "Celebrating their anniversary.",
    "Needs a parking space.",
    "Early check-in requested if possible.",
    "Quiet room away from the lift.",
    "Travelling with a small dog.",
    "Baby cot in the room.",
    "Gluten-free breakfast.",
    "Airport transfer booked for departure day.",
    "Birthday on the second night: cake at dinner.",
    "Prefers a high floor.",
    "Returning guest: welcome letter.",
    "Will pay the balance by company card at check-out.",
)
CHANNEL_NOTE_TEXTS = (
    "Booking.com: non-smoking room requested.",
    "Expedia: guest asks for a twin bed set-up.",
    "Booking.com: arriving by car, estimated arrival 18:00.",
    "Channel note: payment collected by the channel.",
)
SPECIAL_REQUEST_TEXTS = (
    "Wheelchair-accessible room.",
    "Connecting rooms with the party's other booking.",
)
COMPANION_SHARE = 0.2
NOTE_SHARE = 0.15


def _owner(
    rng: random.Random, customers_by_age: list[tuple[datetime, str]], created: datetime
) -> str:
    """A customer profile that existed when the booking was made."""
    known = bisect.bisect_right(customers_by_age, (created, "~"))
    return customers_by_age[rng.randrange(max(known, min(5, len(customers_by_age))))][1]


def _seed_reservations(  # noqa: PLR0917 - internal helper of the seed
    store: Store,
    spec: EnterpriseSpec,
    rng: random.Random,
    new_id: Ids,
    now: datetime,
    count: int,
    customers_by_age: list[tuple[datetime, str]],
    room_categories: list[tuple[str, float]],
    rooms_by_category: dict[str, list[str]],
    rate_ids: list[str],
    accommodation: str,
    products_by_service: dict[str, list[dict[str, Any]]],
    service_ids: dict[str, str],
) -> None:
    ent = spec.id
    zone = ZoneInfo(spec.time_zone)
    today = seed_stays.local_today(now, zone)
    adult, child = store.age_categories[ent]
    stays = seed_stays.plan(rng, count, today, room_categories)
    seed_stays.provisional_states(stays, today, rng)
    seed_stays.assign_rooms(stays, rooms_by_category)
    seed_stays.settle_today(stays, now, zone, rng)
    seed_stays.stamp(stays, now, zone)
    rooms = [r for rooms in rooms_by_category.values() for r in rooms]
    for room_id, (state, updated) in seed_stays.room_states(stays, rooms, now, zone, rng).items():
        room = store.resources.items[room_id]
        room["State"] = state
        room["UpdatedUtc"] = clock.fmt(updated)
    stays.sort(key=lambda stay: stay.created)
    restaurant_products = products_by_service.get("Restaurant", [])
    for number, stay in enumerate(stays, start=1):
        roll = stay.roll
        owner = _owner(rng, customers_by_age, stay.created)
        companions = 0
        if rng.random() < COMPANION_SHARE and len(customers_by_age) > 3:
            companions = 1 if rng.random() < 0.7 else 2
        children = 1 if roll > 0.85 else 0
        adults = max(1 + int(roll * 10) % 2, 1 + companions - children)
        entity = shapes.reservation(
            id=new_id(),
            service_id=accommodation,
            account_id=owner,
            number=str(1000 + number),
            state=stay.state,
            created=clock.fmt(stay.created),
            updated=clock.fmt(stay.updated),
            rate_id=rate_ids[int(roll * 1000) % len(rate_ids)],
            group_id=new_id(),
            category_id=stay.category_id,
            start=clock.fmt(stay.start),
            end=clock.fmt(stay.end),
            person_counts=[{"AgeCategoryId": adult, "Count": adults}]
            + ([{"AgeCategoryId": child, "Count": children}] if children else []),
            assigned_resource_id=stay.room,
            origin="ChannelManager" if roll < 0.4 else "Commander" if roll < 0.8 else "Distributor",
            commander_origin="Phone" if 0.4 <= roll < 0.8 else None,
            channel_number=f"BK{int(roll * 1e8):08d}" if roll < 0.4 else None,
            purpose="Business" if roll > 0.8 else "Leisure",
            actual_start=clock.fmt(stay.actual_start) if stay.actual_start else None,
            actual_end=clock.fmt(stay.actual_end) if stay.actual_end else None,
            cancelled=clock.fmt(stay.cancelled) if stay.cancelled else None,
            cancellation_reason=stay.reason,
        )
        store.reservations.add(entity, ent)
        _seed_companions(store, rng, new_id, ent, entity, stay, customers_by_age, companions)
        if rng.random() < NOTE_SHARE:
            _seed_notes(store, rng, new_id, ent, entity, stay)
        if stay.state == "Started" and restaurant_products and stay.actual_start:
            _seed_charge(
                store,
                spec,
                new_id,
                entity,
                restaurant_products[int(roll * 97) % len(restaurant_products)],
                service_ids["Restaurant"],
                stay.actual_start,
                now,
            )
    store.numbers[f"reservation:{ent}"] = 1000 + len(stays) + 1


def _seed_companions(  # noqa: PLR0917 - internal helper of the seed
    store: Store,
    rng: random.Random,
    new_id: Ids,
    enterprise_id: str,
    reservation: dict[str, Any],
    stay: seed_stays.Stay,
    customers_by_age: list[tuple[datetime, str]],
    count: int,
) -> None:
    """Other guests on the stay, added at booking or, for guests in house, at check-in."""
    chosen: list[str] = []
    while len(chosen) < count:
        candidate = customers_by_age[rng.randrange(len(customers_by_age))][1]
        if candidate != reservation["AccountId"] and candidate not in chosen:
            chosen.append(candidate)
    at = stay.actual_start if stay.actual_start is not None else stay.created
    for customer_id in chosen:
        store.add_companionship(
            shapes.companionship(
                id=new_id(),
                customer_id=customer_id,
                reservation_group_id=reservation["GroupId"],
                reservation_id=reservation["Id"],
            ),
            enterprise_id,
            clock.fmt(min(at, stay.updated)),
        )


def _seed_notes(  # noqa: PLR0917 - internal helper of the seed
    store: Store,
    rng: random.Random,
    new_id: Ids,
    enterprise_id: str,
    reservation: dict[str, Any],
    stay: seed_stays.Stay,
) -> None:
    """Front-desk notes written when the booking came in (never after its last change)."""
    texts: list[tuple[str, str]] = []
    if reservation["Origin"] == "ChannelManager" and rng.random() < 0.5:
        texts.append((rng.choice(CHANNEL_NOTE_TEXTS), "ChannelManager"))
    if rng.random() < 0.1:
        texts.append((rng.choice(SPECIAL_REQUEST_TEXTS), "SpecialRequest"))
    if not texts or rng.random() < 0.3:
        texts.append((rng.choice(NOTE_TEXTS), "General"))
    written = min(stay.created + timedelta(minutes=2), stay.updated)
    for text, kind in texts:
        store.add_note(
            shapes.service_order_note(
                id=new_id(),
                order_id=reservation["Id"],
                text=text,
                type=kind,
                created=clock.fmt(written),
            ),
            enterprise_id,
        )


def _seed_charge(  # noqa: PLR0917 - internal helper of the seed
    store: Store,
    spec: EnterpriseSpec,
    new_id: Ids,
    reservation: dict[str, Any],
    product: dict[str, Any],
    service_id: str,
    when: datetime,
    now: datetime,
) -> None:
    """An open bill with one restaurant charge for a guest in house, after check-in and
    before now."""
    ent = spec.id
    customer = store.customers.items[reservation["AccountId"]]
    bill = None
    for existing in store.bills.of([ent]):
        if existing["AccountId"] == customer["Id"] and existing["State"] == "Open":
            bill = existing
    at = clock.fmt(when + min(timedelta(hours=3), (now - when) / 2))
    if bill is None:
        bill = shapes.bill(
            id=new_id(),
            enterprise_id=ent,
            account_id=customer["Id"],
            account_type="Customer",
            number=None,
            created=at,
        )
        bill["OwnerData"] = shapes.bill_account_data(customer, "Customer")
        store.bills.add(bill, ent)
    order_id = new_id()
    store.orders.add(
        {
            "Id": order_id,
            "EnterpriseId": ent,
            "ServiceId": service_id,
            "AccountId": customer["Id"],
            "AccountType": "Customer",
            "LinkedReservationId": reservation["Id"],
            "State": "Confirmed",
            "Notes": None,
            "CreatedUtc": at,
            "UpdatedUtc": at,
        },
        ent,
    )
    store.order_items.add(
        shapes.order_item(
            id=new_id(),
            enterprise_id=ent,
            account_id=customer["Id"],
            account_type="Customer",
            service_id=service_id,
            order_id=order_id,
            bill_id=bill["Id"],
            accounting_category_id=product["AccountingCategoryId"],
            billing_name=product["Names"]["en-US"],
            external_identifier=None,
            unit_count=1,
            unit_amount=product["Price"],
            amount=product["Price"],
            revenue_type="Product",
            item_type="ProductOrder",
            created=at,
            consumed=at,
            notes=None,
            product_id=product["Id"],
        ),
        ent,
    )
