"""Last write wins on Mews data: when an incoming version of a Mews record (a customer, a
reservation, a resource, a bill, a hotel's configuration, a company, a catalogue) replaces
the one stored. Plain Python, no I/O: every service that keeps Mews data decides with
`supersedes`, and a SQL guard that repeats the decision for concurrent writers is built to
agree with it (tested against Postgres).

The rule:

1. A version is (UpdatedUtc, read at, digest). UpdatedUtc is Mews's stamp; "read at" is when
   we learned the content (sync's read: the command's `issued_at`; a write reported by the
   publisher: when Mews answered); the digest is a hash of the content (`content_digest`).
2. A later UpdatedUtc wins. A record Mews gave no UpdatedUtc (a hotel configuration, a
   catalogue) is older than any dated one.
3. Mews stamps UpdatedUtc in whole seconds, so two changes can share one. With the same
   UpdatedUtc:
   - the same content (same digest) is the same version read again: it never replaces;
   - other content replaces when it was read later. A stored version with no read time (a
     row stored before reads were recorded) is older than any read; an incoming version
     with no read time never wins on the second. So a write the publisher reports (read as
     of Mews's answer) replaces a read of the same second made before the write, and a
     later read with other content (someone else changed it in that second) replaces it.
4. An erased guest keeps `ERASED` as its UpdatedUtc: later than any Mews stamp, so no Mews
   version ever brings its data back.

`VersionKey` orders versions by rules 2 and 3 (ignoring content); `supersedes` adds the
re-read of rule 3. `read_version` is a snapshot's version as learned at a given time, and
`version_tag` the id of a version (in command ids and event ids).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple, Protocol

import msgspec

#: The UpdatedUtc an erased guest keeps: later than any Mews version, so last-write-wins
#: never applies the customer again (Mews keeps its own copy: it has no erase operation).
ERASED = datetime(9999, 12, 31, tzinfo=UTC)

#: Stands in for a missing time in a `VersionKey` (it sorts before every real one).
_NEVER = datetime.min.replace(tzinfo=UTC)


def content_digest(content: object) -> str:
    """A short hash of `content` (anything msgspec encodes): what tells apart two versions
    that share a whole-second UpdatedUtc."""
    return hashlib.sha256(msgspec.json.encode(content)).hexdigest()[:16]


class VersionKey(NamedTuple):
    """Versions in the order last-write-wins applies them (tuples compare field by field):
    dated after undated, then by UpdatedUtc, then read after unread, then by read time."""

    dated: bool
    updated_utc: datetime
    read: bool
    read_at: datetime


@dataclass(frozen=True)
class MewsVersion:
    """A version of a Mews record (see the module's rule)."""

    #: Mews's UpdatedUtc; None where Mews gives none (older than any dated version).
    updated_utc: datetime | None
    #: When we learned this content; None on rows stored before reads were recorded.
    read_at: datetime | None
    #: `content_digest` of the content; None on rows stored before digests were recorded.
    digest: str | None

    @property
    def key(self) -> VersionKey:
        return VersionKey(
            self.updated_utc is not None,
            self.updated_utc or _NEVER,
            self.read_at is not None,
            self.read_at or _NEVER,
        )


class Versioned(Protocol):
    """A record as Mews gave it (a snapshot): its UpdatedUtc and a digest of its content."""

    @property
    def mews_updated_utc(self) -> datetime | None: ...

    def digest(self) -> str: ...


def read_version(record: Versioned, read_at: datetime) -> MewsVersion:
    """The version of `record` learned at `read_at` (a command's `issued_at`: sync issues it
    right after reading Mews; the publisher's report: when Mews answered the write)."""
    return MewsVersion(record.mews_updated_utc, read_at, record.digest())


def supersedes(incoming: MewsVersion, stored: MewsVersion) -> bool:
    """Whether `incoming` replaces `stored`: it comes later (`VersionKey`) and is not the
    stored version read again (same UpdatedUtc, same digest)."""
    if incoming.updated_utc == stored.updated_utc and incoming.digest == stored.digest:
        return False
    return incoming.key > stored.key


def version_tag(updated_utc: datetime | None, digest: str | None) -> str:
    """The id of a version: UpdatedUtc alone is not one (whole seconds), the digest adds
    the content. `updated_utc` is written as given (callers normalise it to UTC where the
    id must not depend on the offset it came with); "-" when Mews gave none."""
    stamp = "-" if updated_utc is None else updated_utc.isoformat()
    return f"{stamp}:{digest}"
