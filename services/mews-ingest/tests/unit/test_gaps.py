"""The gap guard's bookkeeping (plain Python: times are given, not read)."""

from datetime import UTC, datetime, timedelta

from attendandt.contracts.mews import MewsEntity
from attendandt.mews_ingest.gaps import GapGuard

T0 = datetime(2026, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
ENTITIES = (MewsEntity.CUSTOMER, MewsEntity.RESERVATION)


def test_a_silence_seen_at_start_keeps_every_entity_due_until_resynced() -> None:
    gap = GapGuard(6 * HOUR, ENTITIES)
    assert gap.resume(T0, T0 + 7 * HOUR) == 7 * HOUR
    assert gap.due == set(ENTITIES)
    assert gap.persistable() is None  # a restart now must see the silence again
    # An event in the middle of the resync ends no new silence and undoes nothing.
    assert gap.heard(T0 + 7 * HOUR + timedelta(minutes=1)) is None
    gap.resynced(MewsEntity.CUSTOMER)
    assert gap.due == {MewsEntity.RESERVATION}
    assert gap.persistable() is None
    gap.resynced(MewsEntity.RESERVATION)
    gap.swept(T0 + 8 * HOUR)
    assert gap.persistable() == T0 + 8 * HOUR


def test_a_recent_contact_and_regular_news_mark_nothing() -> None:
    gap = GapGuard(6 * HOUR, ENTITIES)
    assert gap.resume(T0, T0 + 5 * HOUR) is None
    assert gap.heard(T0 + 5 * HOUR) is None
    assert gap.check(T0 + 10 * HOUR) is None  # five hours after the last news
    assert gap.due == set()
    assert gap.persistable() == T0 + 5 * HOUR


def test_a_silence_ended_by_an_event_or_seen_by_a_sweep_decision() -> None:
    gap = GapGuard(6 * HOUR, ENTITIES)
    gap.resume(T0, T0)
    assert gap.heard(T0 + 7 * HOUR) == 7 * HOUR
    assert gap.due == set(ENTITIES)

    quiet = GapGuard(6 * HOUR, ENTITIES)
    quiet.resume(T0, T0)
    assert quiet.check(T0 + 6 * HOUR) is None
    assert quiet.check(T0 + 6 * HOUR + timedelta(seconds=1)) == 6 * HOUR + timedelta(seconds=1)
    assert quiet.due == set(ENTITIES)


def test_a_first_start_has_no_silence() -> None:
    gap = GapGuard(6 * HOUR, ENTITIES)
    assert gap.resume(None, T0) is None
    assert gap.check(T0 + 100 * HOUR) is None
    assert gap.persistable() is None
    gap.swept(T0 + 100 * HOUR)
    assert gap.persistable() == T0 + 100 * HOUR
