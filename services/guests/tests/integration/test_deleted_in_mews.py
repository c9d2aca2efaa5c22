"""A customer deleted in Mews (no longer active, not merged) is erased here as staff would ask,
with source `mews`, once; a merged profile (also inactive) is not."""

from __future__ import annotations

from datetime import timedelta

from guests_support import T0, Running, eventually, fetch_all, guest, upsert_guest
from sqlalchemy.ext.asyncio import AsyncEngine

from attendandt.contracts.commands import UPSERT_GUEST
from attendandt.platform.db import create_engine
from attendandt.platform.settings import DatabaseSettings


async def _requests(engine: AsyncEngine) -> list[tuple[str, str, str, str]]:
    rows = await fetch_all(
        engine,
        "select g.mews_id, r.source, r.requested_by, r.reason from guests.erasure_requests r"
        " join guests.guests g on g.id = r.guest_id order by g.mews_id",
    )
    return [(r.mews_id, r.source, r.requested_by, r.reason) for r in rows]


async def test_a_customer_deleted_in_mews_is_erased(running: Running, guests_url: str) -> None:
    engine = create_engine(DatabaseSettings(url=guests_url, schema="guests"))
    try:
        later = T0 + timedelta(minutes=5)
        for mews_id in ("deleted", "merged", "kept"):
            await running.send(
                UPSERT_GUEST.template, upsert_guest(guest(mews_id, email=f"{mews_id}@x.test"))
            )
        await running.send(
            UPSERT_GUEST.template,
            upsert_guest(guest("deleted", later, email="deleted@x.test", is_active=False)),
        )
        await running.send(
            UPSERT_GUEST.template,
            upsert_guest(guest("merged", later, is_active=False, merge_target_mews_id="kept")),
        )

        async def erased() -> bool:
            rows = await fetch_all(
                engine,
                "select email from guests.guests where mews_id = 'deleted' and email is null"
                " and last_name like 'Erased guest %'",
            )
            return len(rows) == 1

        # The request is made and the guests service's own part done (the row pseudonymised).
        await eventually(erased, what="the guest deleted in Mews is erased")
        assert await _requests(engine) == [
            ("deleted", "mews", "mews", "the customer was deleted in Mews")
        ]

        # The same deleted version again (a redelivery, a later sweep) asks nothing more, and
        # a newer Mews version of the deleted customer does not bring its data back.
        await running.send(
            UPSERT_GUEST.template,
            upsert_guest(
                guest(
                    "deleted", later + timedelta(minutes=1), email="deleted@x.test", is_active=False
                )
            ),
        )
        await running.send(
            UPSERT_GUEST.template, upsert_guest(guest("kept", later, email="k@x.test"))
        )

        async def kept_updated() -> bool:
            rows = await fetch_all(engine, "select email from guests.guests where mews_id = 'kept'")
            return [r.email for r in rows] == ["k@x.test"]

        await eventually(kept_updated, what="a later command is applied")
        assert len(await _requests(engine)) == 1
        rows = await fetch_all(engine, "select email from guests.guests where mews_id = 'deleted'")
        assert [r.email for r in rows] == [None]
    finally:
        await engine.dispose()
