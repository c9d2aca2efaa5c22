"""A reservation pass brings the stays' companions and notes, fetched by the pass's
reservation ids in one call each, and the companions it does not know yet with the owners.
When Mews refuses either operation, the stays go on without it and it is not asked again
soon.

The simulator has no companionships or notes yet: `CompanionsAndNotes` answers those two
operations in their documented shapes and passes every other call to the simulator."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from nats.js import JetStreamContext
from sync_support import COMPANIONSHIPS, NOTES, CompanionsAndNotes, stored_commands

from attendandt.contracts.mews import MewsEntity
from attendandt.contracts.streams import ensure_streams
from attendandt.mews import Credentials, MewsClient
from attendandt.sync.applier import Applier


def _client(mews_sim, transport: CompanionsAndNotes) -> MewsClient:
    token = mews_sim.gross.token
    return MewsClient(
        Credentials(client_token=token.client_token, access_token=token.access_token),
        environment=mews_sim.base_url,
        transport=transport,
    )


def _requests(mews_sim, operation: str) -> int:
    by_path = mews_sim.control.counters()["requests_by_path"]
    return sum(n for path, n in by_path.items() if path.endswith(operation))


def _note(note_id: str, text: str, kind: str, created: datetime) -> dict:
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"Id": note_id, "Text": text, "Type": kind, "CreatedUtc": stamp, "UpdatedUtc": stamp}


async def test_a_pass_brings_companions_and_notes_in_one_call_each(
    mews_sim, jetstream: JetStreamContext
) -> None:
    await ensure_streams(jetstream)
    mews_sim.control.rate_limit(enabled=False)
    enterprise = mews_sim.gross.id
    ids = mews_sim.control.touch("reservations", 40, enterprise)
    newcomers = [
        mews_sim.control.add_customer(enterprise_id=enterprise, LastName=f"Companion {i}")["Id"]
        for i in range(3)
    ]
    t = datetime(2026, 5, 1, tzinfo=UTC)
    mews = CompanionsAndNotes(
        companions={ids[0]: newcomers[:2], ids[1]: [newcomers[2]]},
        notes={
            # Listed newest first, as Mews pages: the stay keeps them oldest first.
            ids[0]: [
                _note("n-2", "Arrives about 23:00", "SpecialRequest", t + timedelta(hours=1)),
                _note("n-1", "Coeliac: no gluten at breakfast", "General", t),
            ],
            ids[2]: [_note("n-3", "Booked through the channel manager", "ChannelManager", t)],
        },
    )
    mews_sim.control.reset_counters()
    async with _client(mews_sim, mews) as client:
        applier = Applier(client, enterprise, jetstream)
        result = await applier.apply(MewsEntity.RESERVATION, ids)

        assert result.applied == set(ids)
        assert mews.calls() == {COMPANIONSHIPS: 1, NOTES: 1}
        for operation, asked, _ in mews.requests:
            assert sorted(asked) == sorted(ids), operation
        notes_body = next(body for op, _, body in mews.requests if op == NOTES)
        assert notes_body["Types"] == ["General", "ChannelManager", "SpecialRequest"]
        companions_body = next(body for op, _, body in mews.requests if op == COMPANIONSHIPS)
        assert companions_body["Extent"] == {
            "Reservations": False,
            "ReservationGroups": False,
            "Customers": False,
        }
        # Owners and the unknown companions in one customers call.
        assert _requests(mews_sim, "customers/getAll") == 1
        assert _requests(mews_sim, "reservations/getAll/2023-06-06") == 1

        guests, stays = await stored_commands(jetstream)
        assert set(newcomers) <= {g.guest.mews_id for g in guests}
        by_id = {s.stay.mews_id: s.stay for s in stays}
        assert by_id[ids[0]].companion_mews_ids == tuple(newcomers[:2])
        assert [(n.mews_id, n.type) for n in by_id[ids[0]].notes] == [
            ("n-1", "General"),
            ("n-2", "SpecialRequest"),
        ]
        assert by_id[ids[0]].notes[0].text == "Coeliac: no gluten at breakfast"
        assert by_id[ids[1]].companion_mews_ids == (newcomers[2],)
        assert [n.text for n in by_id[ids[2]].notes] == ["Booked through the channel manager"]
        assert all(not by_id[i].notes and not by_id[i].companion_mews_ids for i in ids[3:])

        # Everyone is known now: the next pass asks Mews for no customer.
        mews_sim.control.reset_counters()
        await applier.apply(MewsEntity.RESERVATION, ids)
        assert _requests(mews_sim, "customers/getAll") == 0
        assert mews.calls() == {COMPANIONSHIPS: 2, NOTES: 2}


async def test_companions_and_notes_mews_refuses_are_left_out_and_not_asked_again_soon(
    mews_sim, jetstream: JetStreamContext, caplog: pytest.LogCaptureFixture
) -> None:
    await ensure_streams(jetstream)
    mews_sim.control.rate_limit(enabled=False)
    enterprise = mews_sim.gross.id
    ids = mews_sim.control.touch("reservations", 5, enterprise)
    friend = mews_sim.control.add_customer(enterprise_id=enterprise, LastName="Friend")["Id"]
    mews = CompanionsAndNotes(companions={ids[0]: [friend]}, refuse=401)
    caplog.set_level(logging.WARNING, logger="attendandt.sync")
    async with _client(mews_sim, mews) as client:
        applier = Applier(client, enterprise, jetstream)
        first = await applier.apply(MewsEntity.RESERVATION, ids)
        assert first.applied == set(ids)  # the stays, without companions or notes
        _, stays = await stored_commands(jetstream)
        assert {s.stay.mews_id for s in stays} == set(ids)
        assert all(not s.stay.companion_mews_ids and not s.stay.notes for s in stays)
        assert mews.calls() == {COMPANIONSHIPS: 1, NOTES: 1}
        refusals = [r for r in caplog.records if "Mews refused" in r.getMessage()]
        assert len(refusals) == 2

        await applier.apply(MewsEntity.RESERVATION, ids)
        assert mews.calls() == {COMPANIONSHIPS: 1, NOTES: 1}  # not asked again
        assert len([r for r in caplog.records if "Mews refused" in r.getMessage()]) == 2

        # Later (an hour in production) they are asked again; answered, they are used.
        applier.optional.retry_after_s = 0
        mews.refuse = None
        await applier.apply(MewsEntity.RESERVATION, ids)
        assert mews.calls() == {COMPANIONSHIPS: 2, NOTES: 2}
        _, stays = await stored_commands(jetstream)
        assert (friend,) in {s.stay.companion_mews_ids for s in stays if s.stay.mews_id == ids[0]}
