"""The in-memory fakes of the repositories of vendor events, erasures and retention, for
`guests_fakes.FakeUnitOfWork` (kept apart only so neither module grows past a readable size).

They behave as the SQL does where the use cases rely on it: a timeline entry and a vendor
booking are kept once per event id and booking id, a guest has at most one erasure request
and a request one receipt per part, pseudonymising a guest blanks its row and clears its
stays' notes, edits and timeline, and the retention query picks the guests whose every stay
has an end before the cutoff and who were not asked for yet."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from attendandt.contracts.snapshots import BookingSnapshot, ChargeSnapshot, GuestSnapshot
from attendandt.contracts.versioning import ERASED, MewsVersion
from attendandt.guests.erasure_repository import GuestToErase, StoredReceipt, StoredRequest
from attendandt.guests.retention_repository import RetentionRun
from attendandt.guests.upsert_repository import StoredGuest

if TYPE_CHECKING:
    from guests_fakes import FakeUnitOfWork


class FakeTimeline:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    async def add(
        self,
        *,
        event_id: str,
        enterprise_id: str,
        guest_id: str,
        kind: Literal["booking", "charge"],
        ref_id: str,
        stay_id: str | None,
        event: str,
        occurred_at: datetime,
        snapshot: BookingSnapshot | ChargeSnapshot,
        recorded_at: datetime,
    ) -> bool:
        timeline = self._unit.working.timeline
        if event_id in timeline:
            return False
        timeline[event_id] = {
            "enterprise_id": enterprise_id,
            "guest_id": guest_id,
            "kind": kind,
            "ref_id": ref_id,
            "stay_id": stay_id,
            "event": event,
            "occurred_at": occurred_at,
            "snapshot": msgspec.to_builtins(snapshot),
            "recorded_at": recorded_at,
        }
        return True


class FakeVendorBookings:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    async def record(
        self,
        *,
        booking_id: str,
        enterprise_id: str,
        vendor_id: str,
        guest_id: str,
        stay_id: str | None,
    ) -> None:
        self._unit.working.vendor_bookings.setdefault(
            booking_id,
            {
                "enterprise_id": enterprise_id,
                "vendor_id": vendor_id,
                "guest_id": guest_id,
                "stay_id": stay_id,
            },
        )


class FakeErasures:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    def _guest(self, enterprise_id: str, guest_id: str) -> tuple[str, StoredGuest] | None:
        rows = self._unit.working.guest_rows.items()
        return next(
            ((m, g) for (e, m), g in rows if e == enterprise_id and g.guest_id == guest_id), None
        )

    async def guest_id_of_customer(self, enterprise_id: str, customer_mews_id: str) -> str | None:
        found = self._unit.working.guest_rows.get((enterprise_id, customer_mews_id))
        return None if found is None else found.guest_id

    async def guest_to_erase(self, enterprise_id: str, guest_id: str) -> GuestToErase | None:
        found = self._guest(enterprise_id, guest_id)
        if found is None:
            return None
        mews_id, row = found
        snapshot = row.snapshot
        email = None if snapshot is None else snapshot.email
        phone = None if snapshot is None else snapshot.phone
        return GuestToErase(guest_id=guest_id, mews_id=mews_id, email=email, phone=phone)

    async def request_for_guest(self, enterprise_id: str, guest_id: str) -> StoredRequest | None:
        requests = self._unit.working.erasure_requests.values()
        return next(
            (r for r in requests if (r.enterprise_id, r.guest_id) == (enterprise_id, guest_id)),
            None,
        )

    async def add_request(self, request: StoredRequest) -> bool:
        # One request per guest (the table's unique constraint).
        if await self.request_for_guest(request.enterprise_id, request.guest_id) is not None:
            return False
        self._unit.working.erasure_requests[request.request_id] = request
        return True

    async def find_request(
        self, request_id: str, enterprises: tuple[str, ...] | None
    ) -> StoredRequest | None:
        found = self._unit.working.erasure_requests.get(request_id)
        if found is None or (enterprises is not None and found.enterprise_id not in enterprises):
            return None
        return found

    async def lock_request(self, request_id: str) -> StoredRequest | None:
        self._unit.locked.append(("erasure", request_id, request_id))
        return self._unit.working.erasure_requests.get(request_id)

    async def list_requests(
        self, enterprises: tuple[str, ...] | None, *, pending: bool | None, limit: int, offset: int
    ) -> list[StoredRequest]:
        found = [
            r
            for r in self._unit.working.erasure_requests.values()
            if (enterprises is None or r.enterprise_id in enterprises)
            and (pending is None or (r.completed_at is None) == pending)
        ]
        found.sort(key=lambda r: r.request_id)
        found.sort(key=lambda r: r.requested_at, reverse=True)
        return found[offset : offset + limit]

    async def receipts_of(self, request_ids: Sequence[str]) -> dict[str, dict[str, StoredReceipt]]:
        receipts = self._unit.working.erasure_receipts
        return {r: dict(receipts[r]) for r in request_ids if receipts.get(r)}

    async def add_receipt(
        self, request_id: str, receipt: StoredReceipt, recorded_at: datetime
    ) -> bool:
        parts = self._unit.working.erasure_receipts.setdefault(request_id, {})
        if receipt.part in parts:
            return False
        parts[receipt.part] = receipt
        return True

    async def mark_completed(self, request_id: str, at: datetime) -> None:
        requests = self._unit.working.erasure_requests
        requests[request_id] = dataclasses.replace(requests[request_id], completed_at=at)

    async def pseudonymise_guest(
        self, enterprise_id: str, guest_id: str, mews_id: str, pseudonym: str
    ) -> tuple[dict[str, int], dict[str, int]]:
        working = self._unit.working
        guests = 0
        found = self._guest(enterprise_id, guest_id)
        if found is not None:
            guests = 1
            blank = GuestSnapshot(
                mews_id=found[0], mews_updated_utc=ERASED, last_name=pseudonym, is_active=False
            )
            working.guest_rows[(enterprise_id, found[0])] = StoredGuest(
                guest_id, MewsVersion(ERASED, None, None), None, blank, {}
            )
        notes = 0
        for (enterprise, _), stay in working.stays.items():
            named = any(m == mews_id for m, _ in stay.customers)
            if enterprise == enterprise_id and named and stay.notes:
                stay.notes = []
                stay.snapshot = msgspec.structs.replace(stay.snapshot, notes=())
                notes += 1
        edits = [e for e, edit in working.edits.items() if edit.guest_id == guest_id]
        for edit_id in edits:
            del working.edits[edit_id]
        entries = [
            e
            for e, entry in working.timeline.items()
            if (entry["enterprise_id"], entry["guest_id"]) == (enterprise_id, guest_id)
        ]
        for event_id in entries:
            del working.timeline[event_id]
        removed = {"stay_notes": notes, "guest_edits": len(edits), "timeline": len(entries)}
        return removed, {"guests": guests}

    async def log_access(self, entries: Sequence[dict[str, Any]]) -> None:
        self._unit.working.access_log.extend(dict(e) for e in entries)

    async def access_log(
        self, enterprises: tuple[str, ...] | None, guest_id: str | None, *, limit: int, offset: int
    ) -> list[Any]:
        found = [
            SimpleNamespace(**e)
            for e in reversed(self._unit.working.access_log)
            if (enterprises is None or e["enterprise_id"] in enterprises)
            and (guest_id is None or e["guest_id"] == guest_id)
        ]
        return found[offset : offset + limit]


class FakeRetention:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    async def enterprises_with_guests(self) -> list[str]:
        return sorted({e for e, _ in self._unit.working.guest_rows})

    async def guests_past(self, enterprise_id: str, cutoff: datetime, limit: int) -> list[str]:
        working = self._unit.working
        asked = {(r.enterprise_id, r.guest_id) for r in working.erasure_requests.values()}
        due = []
        for (enterprise, mews_id), guest in working.guest_rows.items():
            if enterprise != enterprise_id or (enterprise, guest.guest_id) in asked:
                continue
            ends = [
                s.snapshot.actual_end_utc or s.snapshot.scheduled_end_utc
                for (e, _), s in working.stays.items()
                if e == enterprise and any(m == mews_id for m, _ in s.customers)
            ]
            # No stays, or one with no end known: nothing says the guest's stays are over.
            known = [end for end in ends if end is not None]
            if ends and len(known) == len(ends) and max(known) < cutoff:
                due.append(guest.guest_id)
        return sorted(due)[:limit]

    async def add_run(self, run: RetentionRun) -> None:
        self._unit.working.retention_runs.append(run)

    async def list_runs(
        self, enterprise_ids: list[str] | None, limit: int, offset: int
    ) -> list[RetentionRun]:
        found = [
            r
            for r in self._unit.working.retention_runs
            if enterprise_ids is None or r.enterprise_id in enterprise_ids
        ]
        found.sort(key=lambda r: r.run_id)
        found.sort(key=lambda r: r.ran_at, reverse=True)
        return found[offset : offset + limit]
