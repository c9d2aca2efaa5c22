"""The upserts' SQL guard and the Python rule agree: for generated pairs of a stored and an
incoming version, on real Postgres, the upsert of guests, stays and rooms replaces the row
exactly when `versioning.supersedes` says the incoming version supersedes the stored one.

The service decides in Python under the entity's lock; the guard repeats the decision for a
writer that skipped the lock. If the two disagreed, which one a command met would decide
what is stored."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from guests_support import ENT, T0, guest, room, stay
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from attendandt.contracts.versioning import ERASED, MewsVersion, supersedes
from attendandt.guests import batch_repository as bat
from attendandt.guests import upsert_repository as ur
from attendandt.platform.db import session_factory

#: Whole seconds around T0 (Mews's stamps), and the version an erased guest keeps.
UPDATED = st.sampled_from([T0 - timedelta(seconds=1), T0, T0 + timedelta(seconds=1), ERASED])
#: Read times within and after T0's second (microseconds, as Postgres keeps them); None: a
#: row stored before reads were recorded.
READ_AT = st.none() | st.sampled_from(
    [T0, T0 + timedelta(microseconds=400_000), T0 + timedelta(seconds=1), T0 + timedelta(2)]
)
DIGEST = st.sampled_from([None, "aaaa", "bbbb"])
VERSIONS = st.builds(MewsVersion, UPDATED, READ_AT, DIGEST)
#: "guests in a batch": the set-based upsert of a batch of commands (`guest_batches`).
KINDS = st.sampled_from(["guests", "guests in a batch", "stays", "rooms"])


async def _upsert(
    session: AsyncSession, kind: str, mews_id: str, version: MewsVersion, row_id: str
) -> str | None:
    """The service's own upsert of one kind of Mews record, at `version`."""
    assert version.updated_utc is not None
    at: datetime = version.updated_utc
    common = {"enterprise_id": ENT, "version": version, "synced_at": T0}
    if kind.startswith("guests"):
        put = ur.GuestPut(row_id, ENT, guest(mews_id, at), version, T0)
        if kind == "guests":
            return await ur.upsert_guest(session, put)
        return (await bat.upsert_guests(session, [put])).get((ENT, mews_id))
    if kind == "stays":
        return await ur.upsert_stay(
            session, ur.StayPut(row_id, ENT, stay(mews_id, at), version, T0)
        )
    return await ur.upsert_room(session, room_id=row_id, room=room(mews_id, at), **common)


@settings(
    max_examples=300,
    deadline=None,
    # One database for all examples: each example is a record of its own.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(kind=KINDS, stored=VERSIONS, incoming=VERSIONS)
# A write reported as read when Mews answered replaces a read of its second made before it.
@example(
    kind="guests",
    stored=MewsVersion(T0, T0, "aaaa"),
    incoming=MewsVersion(T0, T0 + timedelta(microseconds=400_000), "bbbb"),
)
# An incoming version without a read time never wins on the second, even over an unread row.
@example(kind="guests", stored=MewsVersion(T0, None, "aaaa"), incoming=MewsVersion(T0, None, "b"))
# Nothing brings an erased guest back.
@example(
    kind="guests",
    stored=MewsVersion(ERASED, None, None),
    incoming=MewsVersion(T0 + timedelta(seconds=1), T0 + timedelta(2), "aaaa"),
)
async def test_the_sql_guard_replaces_a_row_exactly_when_supersedes_says_so(
    engine: AsyncEngine, kind: str, stored: MewsVersion, incoming: MewsVersion
) -> None:
    mews_id = f"m-{uuid.uuid4().hex}"
    row_id = str(uuid.uuid4())
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        assert await _upsert(session, kind, mews_id, stored, row_id) == row_id
    async with sessions() as session, session.begin():
        replaced = await _upsert(session, kind, mews_id, incoming, str(uuid.uuid4()))
    expected = supersedes(incoming, stored)
    assert (replaced is not None) is expected, (stored, incoming)
    async with sessions() as session:
        found = await session.execute(
            text(
                "select id, mews_updated_utc, mews_read_at, mews_digest"
                f" from guests.{kind.split(maxsplit=1)[0]}"
                " where enterprise_id = :enterprise and mews_id = :mews_id"
            ),
            {"enterprise": ENT, "mews_id": mews_id},
        )
        row = found.one()
    # The row keeps its id either way, and holds the version that won.
    assert str(row.id) == row_id
    assert MewsVersion(*row[1:]) == (incoming if expected else stored)
