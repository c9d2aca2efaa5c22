"""Mews companies → `UpsertCompany` commands: the mapping, a change pass against the
simulator (one `companies/getAll` for the batch), a later change, and the backfill."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from sync_support import announce, wait_for

from attendandt.contracts.commands import UpsertCompany
from attendandt.contracts.deadletter import DeadLetter
from attendandt.contracts.mews import MewsEntity
from attendandt.contracts.streams import SYNC_HEALTH, ensure_streams
from attendandt.mews import Credentials, MewsClient
from attendandt.mews.models import CompaniesGetAll, Company
from attendandt.sync.applier import Applier
from attendandt.sync.backfill import Backfill
from attendandt.sync.companies import company_snapshot, upsert_company
from attendandt.sync.mapping import Unmappable

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def mews(mews_sim):
    token = mews_sim.gross.token
    async with MewsClient(
        Credentials(client_token=token.client_token, access_token=token.access_token),
        environment=mews_sim.base_url,
    ) as client:
        yield client


async def stored_companies(js: JetStreamContext) -> list[UpsertCompany]:
    try:
        info = await js.stream_info("DOMAIN_COMMANDS")
    except NotFoundError:
        return []
    found: list[UpsertCompany] = []
    if info.state.messages == 0:
        return found
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        with contextlib.suppress(NotFoundError):
            msg = await js.get_msg("DOMAIN_COMMANDS", seq)
            if msg.subject == "cmd.v1.vendors.upsert_company":
                found.append(msgspec.json.decode(msg.data or b"", type=UpsertCompany))
    return found


def test_a_company_maps_to_its_name_and_state_and_nothing_personal() -> None:
    company = Company(
        id="c-1",
        name="Lagoon Wellness s.r.o.",
        is_active=False,
        updated_utc=T0,
        iata="PAO",
        merge_target_id="c-2",
        contact_person="Ann Example",
        invoicing_email="ann@lagoon.example",
        telephone="+420 600 000 001",
        notes="prefers calls after 5",
    )
    snapshot = company_snapshot(company)
    assert (snapshot.mews_id, snapshot.name, snapshot.is_active) == ("c-1", company.name, False)
    assert (snapshot.iata, snapshot.merge_target_mews_id) == ("PAO", "c-2")
    encoded = msgspec.json.encode(snapshot).decode()
    for personal in ("Ann", "ann@", "600 000", "after 5"):
        assert personal not in encoded

    first = upsert_company("ent-1", snapshot)
    assert first.command_id == upsert_company("ent-1", snapshot).command_id  # a version, once
    renamed = msgspec.structs.replace(snapshot, name="Lagoon Wellness a.s.")
    # Same UpdatedUtc, other content: another version (Mews stamps whole seconds).
    assert upsert_company("ent-1", renamed).command_id != first.command_id
    assert upsert_company("ent-1", snapshot, "repair-1").command_id != first.command_id

    with pytest.raises(Unmappable, match="UpdatedUtc"):
        company_snapshot(Company(id="c-3", name="No Version"))
    with pytest.raises(Unmappable, match="no name"):
        company_snapshot(Company(id="c-4", updated_utc=T0))


async def test_a_change_pass_commands_every_company_in_one_call_then_a_later_change(
    mews_sim, mews: MewsClient, jetstream: JetStreamContext, start_sync
) -> None:
    mews_sim.control.rate_limit(enabled=False)
    companies = {c.id: c for c in await mews.get_companies(CompaniesGetAll()).collect()}
    assert len(companies) >= 2
    unknown = "00000000-0000-0000-0000-0000000c0de5"
    await ensure_streams(jetstream)
    # The whole batch waits when sync starts: one pass takes it.
    await announce(jetstream, mews_sim.gross.id, MewsEntity.COMPANY, [*companies, unknown])
    mews_sim.control.reset_counters()
    await start_sync()

    async def all_commanded() -> bool:
        return {c.company.mews_id for c in await stored_companies(jetstream)} >= set(companies)

    await wait_for(all_commanded, what="an UpsertCompany for every company")
    calls = mews_sim.control.counters()["requests_by_path"].get("companies/getAll", 0)
    assert calls == 1
    for command in await stored_companies(jetstream):
        truth = companies[command.company.mews_id]
        assert command.enterprise_id == mews_sim.gross.id
        assert command.company.name == truth.name
        assert command.company.mews_updated_utc == truth.updated_utc
        assert command.company.is_active == (truth.is_active is not False)

    async def dead_lettered() -> DeadLetter | None:
        try:
            raw = await jetstream.get_last_msg("DEAD_LETTERS", "deadletter.v1.sync.sync-changes")
        except NotFoundError:
            return None
        return msgspec.json.decode(raw.data, type=DeadLetter)

    letter = await wait_for(dead_lettered, what="the unknown company's dead letter")
    assert "not found in Mews" in letter.reason
    assert unknown in letter.reason

    # A staff edit in Mews (no event for companies: a sweep would announce it).
    [changed_id, *_] = companies
    mews_sim.control.update_company(changed_id, Name="Renamed Holdings", IsActive=False)
    await announce(jetstream, mews_sim.gross.id, MewsEntity.COMPANY, [changed_id])

    async def renamed() -> UpsertCompany | None:
        for command in await stored_companies(jetstream):
            if command.company.name == "Renamed Holdings":
                return command
        return None

    newer = await wait_for(renamed, what="the renamed company's command")
    assert newer.company.mews_id == changed_id
    assert newer.company.is_active is False
    before = companies[changed_id].updated_utc
    assert before is not None
    assert newer.company.mews_updated_utc > before


async def test_backfill_commands_every_company(
    mews_sim, mews: MewsClient, jetstream: JetStreamContext
) -> None:
    mews_sim.control.rate_limit(enabled=False)
    await ensure_streams(jetstream)
    config = await mews.get_configuration()
    end = config.now_utc or datetime.now(UTC)
    companies = await mews.get_companies(CompaniesGetAll()).collect()
    versions = [c.updated_utc for c in companies if c.updated_utc is not None]
    assert len(versions) == len(companies) >= 2
    # From the oldest company on (the documentation's own are years old): 30-day windows.
    since = min(versions) - timedelta(days=1)
    backfill = Backfill(
        Applier(mews, mews_sim.gross.id, jetstream), await jetstream.key_value(SYNC_HEALTH.bucket)
    )
    counts = await backfill.run(since, end, entities=("companies",))
    commanded = await stored_companies(jetstream)
    assert counts["companies"] == len(companies)
    assert sorted(c.company.mews_id for c in commanded) == sorted(c.id for c in companies)
