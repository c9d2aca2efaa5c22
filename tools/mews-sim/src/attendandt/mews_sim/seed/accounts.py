"""Each hotel's accounts: the companies of its chain and its guests' customer profiles."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from attendandt.mews_sim import clock, shapes
from attendandt.mews_sim.seed.context import HotelSeed
from attendandt.mews_sim.seed.names import (
    COMPANY_KINDS,
    COMPANY_WORDS,
    FIRST_NAMES,
    LAST_NAMES,
    NATIONALITIES,
)


def add_companies(hotel: HotelSeed, count: int) -> list[str]:
    store, rng, new_id, now, chain = hotel.store, hotel.rng, hotel.new_id, hotel.now, hotel.chain
    company_ids = []
    for n in range(count):
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
    return company_ids


def add_customers(
    hotel: HotelSeed, count: int, company_ids: list[str]
) -> list[tuple[datetime, str]]:
    """Customer profiles, inserted oldest first; each with when it was created."""
    store, rng, new_id, now, chain = hotel.store, hotel.rng, hotel.new_id, hotel.now, hotel.chain
    customer_rows = []
    for n in range(count):
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
    return customers_by_age
