"""`attendandt.contracts.versioning.supersedes` in SQL, for the guard of an upsert
(`INSERT ... ON CONFLICT DO UPDATE ... WHERE`): the service decides in Python under the
record's lock, and the guard repeats the decision in the statement so a concurrent writer
that skipped the lock never replaces a newer row.

The columns are the ones every table of Mews records has: `mews_updated_utc` (NOT NULL:
only rows of dated records carry a guard), `mews_read_at` and `mews_digest` (both may be
NULL on rows stored before they were recorded). The guests integration tests check, for
generated pairs of versions against Postgres, that this clause and `supersedes` agree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, or_


def supersedes_clause(stored: Any, incoming: Any) -> ColumnElement[bool]:
    """True where the row `incoming` (e.g. `statement.excluded`) replaces `stored` (the
    table's columns): a later UpdatedUtc, or the same one with other content read later
    (a stored row with no read time is older than any read; an incoming one with no read
    time never wins on the second)."""
    return or_(
        stored.mews_updated_utc < incoming.mews_updated_utc,
        and_(
            stored.mews_updated_utc == incoming.mews_updated_utc,
            stored.mews_digest.is_distinct_from(incoming.mews_digest),
            incoming.mews_read_at.is_not(None),
            or_(stored.mews_read_at.is_(None), stored.mews_read_at < incoming.mews_read_at),
        ),
    )
