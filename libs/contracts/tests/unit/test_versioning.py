"""Last write wins (`versioning`): each rule of the module's docstring, and what follows
from them for any pair of versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from attendandt.contracts.snapshots import GuestSnapshot
from attendandt.contracts.versioning import (
    ERASED,
    MewsVersion,
    read_version,
    supersedes,
    version_tag,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
WRITE = T0 + timedelta(microseconds=400_000)


def test_a_later_updated_utc_wins_whatever_was_read_when() -> None:
    assert supersedes(MewsVersion(T0 + SECOND, T0, "a"), MewsVersion(T0, T0 + SECOND, "b"))
    assert not supersedes(MewsVersion(T0, T0 + SECOND, "b"), MewsVersion(T0 + SECOND, T0, "a"))


def test_an_undated_version_is_older_than_any_dated_one() -> None:
    assert supersedes(MewsVersion(T0, T0, "a"), MewsVersion(None, T0 + SECOND, "b"))
    assert not supersedes(MewsVersion(None, T0 + SECOND, "b"), MewsVersion(T0, T0, "a"))
    assert supersedes(MewsVersion(None, T0 + SECOND, "b"), MewsVersion(None, T0, "a"))


def test_the_same_content_read_again_is_no_new_version() -> None:
    assert not supersedes(MewsVersion(T0, T0 + SECOND, "a"), MewsVersion(T0, T0, "a"))
    assert not supersedes(MewsVersion(T0, T0 + SECOND, None), MewsVersion(T0, None, None))


def test_within_one_second_other_content_read_later_wins() -> None:
    read = MewsVersion(T0, T0, "before-the-write")
    # The publisher's report of our write counts as read when Mews answered: it replaces a
    # read of the same second made before the write...
    written = MewsVersion(T0, WRITE, "ours")
    assert supersedes(written, read)
    # ... and a later read with other content (another change in that second) replaces it.
    assert supersedes(MewsVersion(T0, WRITE + SECOND, "someone-else"), written)
    # An earlier read redelivered after them changes nothing.
    assert not supersedes(read, written)


def test_an_unread_row_is_older_than_any_read_and_an_unread_version_never_wins_the_second() -> None:
    assert supersedes(MewsVersion(T0, T0, "b"), MewsVersion(T0, None, "a"))
    assert not supersedes(MewsVersion(T0, None, "b"), MewsVersion(T0, None, "a"))
    assert not supersedes(MewsVersion(T0, None, "b"), MewsVersion(T0, T0, "a"))


def test_nothing_brings_an_erased_guest_back() -> None:
    erased = MewsVersion(ERASED, None, None)
    assert not supersedes(MewsVersion(datetime(9999, 12, 30, tzinfo=UTC), T0, "a"), erased)


def test_a_snapshots_version_and_its_tag() -> None:
    guest = GuestSnapshot(mews_id="c-1", mews_updated_utc=T0, last_name="Lovelace")
    version = read_version(guest, WRITE)
    assert version == MewsVersion(T0, WRITE, guest.digest())
    assert version_tag(T0, guest.digest()) == f"2026-03-01T12:00:00+00:00:{guest.digest()}"
    assert version_tag(None, "abc") == "-:abc"


TIMES = st.sampled_from([T0 - SECOND, T0, WRITE, T0 + SECOND])
VERSIONS = st.builds(
    MewsVersion, st.none() | TIMES, st.none() | TIMES, st.sampled_from([None, "a", "b"])
)


@given(VERSIONS, VERSIONS)
def test_of_two_versions_at_most_one_supersedes_the_other(a: MewsVersion, b: MewsVersion) -> None:
    assert not (supersedes(a, b) and supersedes(b, a))


@given(VERSIONS)
def test_no_version_supersedes_itself(a: MewsVersion) -> None:
    assert not supersedes(a, a)
