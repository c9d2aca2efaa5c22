"""Mews companies → `UpsertCompany` commands for the vendors service.

Mews sends no webhook or WebSocket event for companies: their changes reach sync from
ingest's `UpdatedUtc` sweeps (and a backfill), as ids. A pass reads them with one
`companies/getAll` per 1000 ids (the client splits longer lists) and commands every
version once: the command id is the version (`mapping.version_id`), as for guests and stays.

Only what names a company and links a vendor to it travels: no contact person, email,
phone or notes (often one person's own data, and nothing on the platform uses them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from attendandt.contracts.commands import UPSERT_COMPANY, UpsertCompany
from attendandt.contracts.snapshots import CompanySnapshot
from attendandt.mews import TimeInterval
from attendandt.mews.models import CompaniesGetAll, Company
from attendandt.platform.messaging import publish
from attendandt.sync.applier import Applier, PassResult
from attendandt.sync.mapping import Unmappable, version_id

if TYPE_CHECKING:
    from attendandt.sync.backfill import Backfill


def company_snapshot(company: Company) -> CompanySnapshot:
    if company.updated_utc is None:
        raise Unmappable(f"company {company.id} has no UpdatedUtc")
    if not company.name:
        raise Unmappable(f"company {company.id} has no name")
    return CompanySnapshot(
        mews_id=company.id,
        mews_updated_utc=company.updated_utc,
        name=company.name,
        is_active=company.is_active is not False,
        merge_target_mews_id=company.merge_target_id,
        iata=company.iata,
    )


def upsert_company(
    enterprise_id: str, company: CompanySnapshot, tag: str | None = None
) -> UpsertCompany:
    command_id = version_id("company", enterprise_id, company, tag)
    return UpsertCompany(
        command_id=command_id,
        enterprise_id=enterprise_id,
        issued_at=datetime.now(UTC),
        company=company,
    )


async def company_pass(applier: Applier, ids: Sequence[str]) -> PassResult:
    """The change pass for company ids; an id Mews does not return is `missing`."""
    if not ids:
        return PassResult()
    request = CompaniesGetAll(ids=list(ids))
    companies = await applier.client.get_companies(request).collect()
    result = await publish_companies(applier, companies)
    result.missing = set(ids) - {c.id for c in companies}
    return result


async def publish_companies(applier: Applier, companies: Iterable[Company]) -> PassResult:
    """Command every mappable company and wait until JetStream stored each command."""
    result = PassResult()
    commands: list[UpsertCompany] = []
    for company in companies:
        try:
            snapshot = company_snapshot(company)
        except Unmappable as exc:
            result.unmappable[company.id] = str(exc)
            continue
        commands.append(upsert_company(applier.enterprise_id, snapshot, applier.command_tag))
        result.applied.add(company.id)
    await asyncio.gather(
        *(publish(applier.js, UPSERT_COMPANY, c, msg_id=c.command_id) for c in commands)
    )
    result.commands = len(commands)
    return result


async def backfill_companies(backfill: Backfill, window: TimeInterval) -> int:
    """Every company changed in `window`, page by page (a backfill's "companies")."""
    items = 0
    request = CompaniesGetAll(updated_utc=window)
    async for page in backfill.applier.client.get_companies(request).pages():
        chosen = await backfill.select("company", page)
        items += len((await publish_companies(backfill.applier, chosen)).applied)
    return items
